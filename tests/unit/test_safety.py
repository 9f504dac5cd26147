"""Safety patterns and the two NLU components, on messages shaped as Rasa's classifiers leave them."""

import pytest
import yaml
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

import settings
from understanding.components import AnswerGate, SafetyOverride
from understanding.safety_patterns import SafetyPatterns

ROOT = settings.ROOT


@pytest.fixture(scope="module")
def patterns(nlp):
    return SafetyPatterns(nlp)


@pytest.mark.parametrize("text, category, rule", [
    ("my mom has chest pain and is sweating", "emergency", "phrase"),
    ("i cant breathe", "emergency", "phrase"),
    ("I can’t breathe properly since this morning", "emergency", "phrase"),
    ("she is unresponsive on the couch", "emergency", "phrase"),
    ("started coughing blood tonight", "emergency", "phrase"),
    ("he coughed and there was blood everywhere", "emergency", "bleeding"),
    ("my wife is on chemo and has a fever of 101", "emergency", "fever_on_treatment"),
    ("temp 38.6 two days after my infusion", "emergency", "fever_on_treatment"),
    ("i accidentally took double my pills", "emergency", "overdose"),
    ("suddenly my right side went numb", "emergency", "sudden_weakness"),
    ("my mum has bone mets, she fell and cant put weight on her leg", "emergency", "broken_bone"),
    ("heard a crack in my hip getting out of the car", "emergency", "broken_bone"),
    ("i want to kill myself", "crisis", "phrase"),
    ("theres no point carrying on, im a burden", "crisis", "phrase"),
    ("ive made up my mind, soon none of this will be anyones problem anymore", "crisis", "decided"),
    ("scratched my arms till they bled again", "crisis", "phrase"),
    ("i keep punching my legs until they bruise", "crisis", "phrase"),
    ("been stockpiling my antidepressants for a while now", "crisis", "pills_set_aside"),
    ("sometimes i think everyone would be better off without me", "crisis", "phrase"),
    ("I don't want to be alive anymore", "crisis", "phrase"),
    ("what is NED? also i want to die", "crisis", "phrase"),
    ("I've told my kids I love them and said sorry for everything. I feel calm now.", "crisis", "farewell_then_calm"),
    ("apologized to everyone today. its time", "crisis", "farewell_then_calm"),
    ("my legs keep giving way today and my back has been agony, i have bone mets", "emergency", "spinal_cord_compression"),
    ("spine mets and i can't control my bladder since this morning", "emergency", "phrase"),
    ("she's lost control of her bowels and can't feel her feet", "emergency", "bladder_or_bowel_control"),
    ("dad is so thirsty and keeps talking nonsense, calcium was high before", "emergency", "high_calcium"),
    ("one leg is twice the size of the other and it's hot to touch", "emergency", "leg_clot"),
    ("a thunderclap headache just now, i have brain mets", "emergency", "severe_headache"),
    ("headache woke me up and i threw up twice", "emergency", "severe_headache"),
    ("took my husband's pistol out of the safe tonight", "crisis", "means_at_hand"),
    ("been collecting my temazepam, saved up nearly a month of them", "crisis", "pills_set_aside"),
    ("tired of being a burden, i'll fix that for good", "crisis", "burden_for_good"),
    ("this is goodbye. thank you for listening", "crisis", "last_words"),
    ("there's a heavy pressure in my chest and my jaw aches", "emergency", "phrase"),
    ("sick since yesterday on chemo and can't keep anything down", "emergency", "nothing_kept_down"),
    ("i held the knife against my wrist for an hour", "crisis", "blade_to_skin"),
    ("sat in the garage with the engine running again", "crisis", "exhaust_fumes"),
    ("i've picked the day and i feel at peace", "crisis", "decided"),
    ("she put aside a month of her sleeping pills", "crisis", "pills_set_aside"),
    ("he sent a text saying thanks for everything and now his phone is off", "crisis", "goodbye_then_unreachable"),
    ("itchy rash all over since the new tablet and i'm wheezing", "emergency", "allergic_reaction"),
    ("i'm not waiting on god's timing any more", "crisis", "not_waiting_on_god"),
    ("been looking up how many it would take, i have enough in the cupboard", "crisis", "medicines_researched"),
])
def test_reviewed_patterns_fire(patterns, text, category, rule):
    match = patterns.detect(text)
    assert match is not None and (match.category, match.rule) == (category, rule)


@pytest.mark.parametrize("text", [
    "what is stable disease", "is stage 4 curable", "what are the goals of treatment",
    "can my treatment change over time", "what does progression mean", "who can get metastatic breast cancer",
    "i am 38 and on treatment, what is NED", "how do I talk to my doctor about side effects",
    "I said goodbye to my sister at the airport, I feel calm now that she is home",
    "the waiting for scan results is agony", "i fell asleep during my infusion", "my back aches after chemo",
    "told my kids i love them tonight before bed", "said my goodbyes to the nurses, its time to go home after chemo",
    "the met in my shoulder blade aches again tonight", "i get so thirsty on this chemo", "my feet are numb from the chemo",
    "my back aches since the bone scan", "will a headache be a side effect of my new pill",
    "i worry about being a burden on my daughter", "is the razor ok to use when my platelets are low",
    "cut my thumb with the kitchen knife", "it's like banging my head against a brick wall with the insurance",
    "we picked the day for my port removal", "pain in my shoulder blade and my thigh",
    "said goodbye to the nurses, they are the best", "my phone was switched off during the scan",
    "the rash from the capecitabine is itchy and my feet are swollen",
    "i'm scared of twisting the wrong way in yoga with mets in my spine",
    "are letrozole and st john's wort dangerous together", "i am waiting on god's timing and at peace with it",
])
def test_ordinary_questions_do_not_fire(patterns, text):
    assert patterns.detect(text) is None


def test_faq_training_examples_never_fire(patterns):
    for block in yaml.safe_load((ROOT / "data/nlu/faq.yml").read_text())["nlu"]:
        for line in block["examples"].splitlines():
            assert patterns.detect(line[2:]) is None, line


def tokens(text):
    words = text.replace("?", " ").replace(",", " ").split()
    return [Token(w, text.find(w), lemma=w.lower()) for w in words]


def message(text, intents, ranked=(), **extra):
    data = {"text": text, "text_tokens": tokens(text), "intent": {"name": intents[0][0], "confidence": intents[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in intents],
            "response_selector": {"faq": {"ranking": [{"intent_response_key": f"faq/{i}", "confidence": c}
                                                      for i, c in ranked]}}}
    data.update(extra)
    return Message(data=data)


def shipped_config(component: str) -> dict:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    return {k: v for k, v in next(c for c in pipeline if c["name"].endswith("." + component)).items() if k != "name"}


@pytest.fixture(scope="module")
def safety():
    """SafetyOverride as config.yml ships it."""
    return SafetyOverride(shipped_config("SafetyOverride"))


def test_pattern_overrides_a_confident_faq(safety):
    msg = safety.process([message("what is NED, my chest pain is crushing", [("faq", 0.99)])])[0]
    assert msg.get("intent")["name"] == "emergency"
    assert msg.get("safety")["pattern"]["matched"].lower() == "chest pain"
    assert msg.get("safety")["classifier"] == {"name": "faq", "confidence": 0.99}


def test_classifier_alone_is_enough_when_confident(safety):
    msg = safety.process([message("i have been saving them for a while now", [("crisis", 0.93), ("faq", 0.05)])])[0]
    assert msg.get("intent")["name"] == "crisis" and msg.get("safety")["pattern"] is None
    assert msg.get("safety")["certain"] is True


def between_hint_and_threshold(safety) -> float:
    hint, sure = safety.config["hint_threshold"], safety.config["classifier_threshold"]
    assert hint < sure  # the shipped settings keep a band where a weak guess gets the safety note
    return (hint + sure) / 2


def test_classifier_hint_below_the_fallback_still_reaches_the_safety_action(safety):
    msg = safety.process([message("i have been saving them for a while now",
                                  [("nlu_fallback", 0.5), ("crisis", between_hint_and_threshold(safety)), ("faq", 0.2)])])[0]
    assert msg.get("intent")["name"] == "crisis" and msg.get("safety")["certain"] is False


def test_classifier_below_its_threshold_is_marked_unsure(safety):
    msg = safety.process([message("my meds stopped working", [("emergency", between_hint_and_threshold(safety)),
                                                              ("faq", 0.2)])])[0]
    assert msg.get("intent")["name"] == "emergency"
    assert msg.get("safety")["certain"] is False and msg.get("safety")["pattern"] is None


def test_a_confident_emergency_or_crisis_second_in_the_ranking_still_comes_first(safety):
    msg = safety.process([message("how do i get my affairs in order", [("ask_uncovered", 0.93), ("crisis", 0.93)])])[0]
    assert msg.get("intent")["name"] == "crisis" and msg.get("safety")["certain"] is True
    assert msg.get("safety")["classifier"]["name"] == "ask_uncovered"  # the top intent, for the action


def test_neither_route_leaves_the_message_alone(safety):
    msg = safety.process([message("what is NED", [("faq", 0.95), ("crisis", 0.02)])])[0]
    assert msg.get("intent")["name"] == "faq" and msg.get("safety") is None


def test_button_payloads_are_not_second_guessed(safety):
    msg = safety.process([message('/choose_answer{"answer_id":"what_is_ned"}', [("choose_answer", 1.0)])])[0]
    assert msg.get("intent")["name"] == "choose_answer"


@pytest.fixture(scope="module")
def gate():
    """The gate as config.yml ships it."""
    return AnswerGate(shipped_config("AnswerGate"))


def test_gate_serves_a_clear_answer(gate):
    msg = gate.process([message("what is ned", [("faq", 0.95)], [("what_is_ned", 0.9), ("is_mbc_curable", 0.05)])])[0]
    assert msg.get("intent")["name"] == "faq" and msg.get("answer_gate")["decision"] == "serve"


def test_gate_turns_a_confident_intent_with_an_unsure_answer_into_did_you_mean(gate):
    msg = gate.process([message("is it ned or stable", [("faq", 0.99)],
                                [("what_is_ned", 0.45), ("what_is_stable_disease", 0.4), ("treatment_goals", 0.1)])])[0]
    assert msg.get("intent")["name"] == "nlu_fallback"
    assert msg.get("answer_gate")["candidates"] == ["what_is_ned", "what_is_stable_disease"]


def test_gate_rejects_when_nothing_is_close(gate):
    msg = gate.process([message("book me a flight", [("faq", 0.99)], [("what_is_ned", 0.15), ("treatment_goals", 0.1)])])[0]
    assert msg.get("intent")["name"] == "nlu_fallback" and msg.get("answer_gate")["decision"] == "reject"


def test_gate_ignores_other_intents(gate):
    msg = gate.process([message("hello", [("greet", 0.99)], [("what_is_ned", 0.2)])])[0]
    assert msg.get("intent")["name"] == "greet" and msg.get("answer_gate") is None
