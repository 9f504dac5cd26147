"""The answer finder on the trained model: every approved answer scored on its passage, title and
examples; only question intents are ever turned into `faq`; the embeddings load from swappable files."""
import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

import settings
from scripts.stack import MODEL
from understanding import embeddings
from understanding.answer_finder import FEATURES, AnswerFinder

WEIGHTS = "models/wordllama/l2_supercat_256.safetensors"
TOKENIZER = "models/wordllama/l2_supercat_tokenizer_config.json"


@pytest.fixture(scope="module")
def finder():
    agent = Agent.load(str(MODEL))
    return next(n._component for n in agent.processor.graph_runner._instantiated_nodes.values()
                if isinstance(n._component, AnswerFinder))


def classified(finder, text, intent, confidence, answers, nlp=None):
    """A message as the classifier leaves it: the intent ranking and the answers' shares of faq (and,
    given the spaCy pipeline, its tokens with their lemmas)."""
    message = Message(data={"text": text})
    if nlp is not None:
        message.set("text_tokens", [Token(t.text, t.idx, lemma=t.lemma_) for t in nlp(text)])
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence},
                                   {"name": "medical_advice", "confidence": 1 - confidence}])
    message.set("response_selector", {"faq": {"ranking": [
        {"intent_response_key": f"faq/{a}", "confidence": c} for a, c in answers]}})
    return message


def test_every_approved_answer_is_scored_on_every_kind_of_evidence(finder, content):
    approved = sorted(a.id for a in content.answers.values() if a.status == "approved")
    assert sorted(finder.answer_ids) == approved
    features = finder.features(classified(finder, "is stable disease good news", "faq", 0.9,
                                          [("what_is_stable_disease", 0.9)]))
    assert features.shape == (len(approved), len(FEATURES)) and np.isfinite(features).all()
    row = features[finder.answer_ids.index("what_is_stable_disease")]
    assert row[FEATURES.index("classifier")] == pytest.approx(np.log(0.81 + 1e-3))
    assert row[FEATURES.index("examples")] >= row[FEATURES.index("title")] - 1e-6  # the title stands in


def test_the_passage_alone_is_evidence(finder, nlp):
    """A question worded like the passage, which the classifier gave nothing to: the passage scores."""
    message = classified(finder, "tests show no evidence of disease, often called what", "ask_uncovered", 0.9, [], nlp)
    features = finder.features(message)
    best = finder.answer_ids[int(np.argmax(features[:, FEATURES.index("bm25")]))]
    assert best in ("what_is_ned", "is_mbc_curable")
    assert features[finder.answer_ids.index(best), FEATURES.index("passage")] > np.median(
        features[:, FEATURES.index("passage")])


@pytest.mark.parametrize("intent", ["emergency", "crisis", "medical_advice", "greet", "express_feelings",
                                    "ask_for_person"])
def test_only_question_intents_can_become_faq(finder, intent):
    message = classified(finder, "what is stable disease", intent, 0.9, [("what_is_stable_disease", 1.0)])
    finder._rank(message, np.ones(len(finder.answer_ids)))
    assert message.get("intent")["name"] == intent


def test_a_question_the_classifier_missed_becomes_faq_when_an_answer_is_likely(finder, monkeypatch):
    monkeypatch.setitem(finder.config, "promote_threshold", 0.5)  # config.yml ships it off (1.0)
    message = classified(finder, "what is stable disease", "ask_uncovered", 0.9, [])
    probabilities = np.zeros(len(finder.answer_ids))
    probabilities[finder.answer_ids.index("what_is_stable_disease")] = finder.config["promote_threshold"]
    finder._rank(message, probabilities)
    assert message.get("intent") == {"name": "faq", "confidence": finder.config["promote_threshold"]}
    assert [r["name"] for r in message.get("intent_ranking")] == ["faq", "medical_advice"]
    ranked = message.get("response_selector")["faq"]["ranking"]
    assert ranked[0]["intent_response_key"] == "faq/what_is_stable_disease"


def test_and_stays_what_it_was_when_none_is(finder, monkeypatch):
    monkeypatch.setitem(finder.config, "promote_threshold", 0.5)
    message = classified(finder, "what is the weather", "ask_uncovered", 0.9, [])
    finder._rank(message, np.full(len(finder.answer_ids), finder.config["promote_threshold"] - 0.01))
    assert message.get("intent")["name"] == "ask_uncovered"


def test_embeddings_are_unit_length_and_their_files_can_be_swapped(tmp_path):
    model = embeddings.load(WEIGHTS, TOKENIZER)
    vectors = model.embed(["what is stable disease", ""])
    assert vectors.shape == (2, model.dimensions) and np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert not vectors[1].any()
    with pytest.raises(FileNotFoundError, match="make wordllama"):
        embeddings.TokenEmbeddings(tmp_path / "other.safetensors", settings.ROOT / TOKENIZER)


def test_the_trained_model_uses_config_ymls_settings(finder):
    import yaml

    shipped = next(step for step in yaml.safe_load((settings.ROOT / "config.yml").read_text())["pipeline"]
                   if step["name"].endswith(".AnswerFinder"))
    assert finder.config["promote_threshold"] == shipped["promote_threshold"]
    assert finder.config["weights"] == shipped["weights"] and set(shipped["weights"]) == set(FEATURES)


def test_a_message_marked_for_safety_is_never_turned_into_an_answer(finder, monkeypatch):
    monkeypatch.setitem(finder.config, "promote_threshold", 0.5)
    message = classified(finder, "what is stable disease", "nlu_fallback", 0.9, [])
    message.set("safety", {"category": "crisis", "certain": False})
    finder._rank(message, np.ones(len(finder.answer_ids)))
    assert message.get("intent")["name"] == "nlu_fallback"


def test_an_answer_without_examples_is_scored_on_its_passage_alone_or_never_served(finder, nlp, monkeypatch):
    """A newly vetted answer has no example questions: the passage-only weights score it, from its own
    passage evidence; without those weights it scores nothing (never served)."""
    message = classified(finder, "what is stable disease", "faq", 0.9, [("what_is_stable_disease", 1.0)], nlp)
    index = finder.answer_ids.index("what_is_stable_disease")
    assert finder.arrays["has_examples"][index]
    with_examples = finder.probabilities(message)[index]
    monkeypatch.setitem(finder.arrays, "has_examples", np.ones(len(finder.answer_ids), dtype=bool))
    finder.arrays["has_examples"][index] = False
    features = finder.features(message)[index]
    passage = dict(zip(FEATURES, features))
    weights, bias = finder.config["passage_weights"], finder.config["passage_bias"]
    assert weights, "config.yml sets passage_weights"
    expected = 1 / (1 + np.exp(-(sum(weights[f] * passage[f] for f in weights) + bias)))
    scored = finder.probabilities(message)
    assert scored[index] == pytest.approx(expected) and scored[index] != pytest.approx(with_examples)
    monkeypatch.setitem(finder.config, "passage_weights", None)
    assert finder.probabilities(message)[index] == 0.0
