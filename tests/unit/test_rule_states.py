"""runtime.rule_policy.RecentStatesRulePolicy (config.yml's rule policy) gives the same states and the
same predictions as Rasa's own RulePolicy, on the trained model, over generated conversations: every intent of the domain (and unknown ones, text-only
messages, entities) in random orders, the next actions chosen by Rasa's own RulePolicy, and events
the cheap path must hand back to Rasa (reverts, follow-ups, loops, restarts)."""
import copy
import random

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RULES_NOT_IN_STORIES, RulePolicy
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_RESTART_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from runtime import rule_policy as rule_states
from runtime.rule_policy import RecentStatesRulePolicy
from scripts.stack import MODEL

CONVERSATIONS = 150


@pytest.fixture(scope="module")
def model():
    agent = Agent.load(str(MODEL))
    nodes = agent.processor.graph_runner._instantiated_nodes
    policies = [node._component for node in nodes.values() if isinstance(node._component, RulePolicy)]
    assert [type(p) for p in policies] == [RecentStatesRulePolicy]  # config.yml names it, and nothing else
    return policies[0], agent.domain


def as_rasas_own(policy):
    """The same trained policy, run by Rasa's RulePolicy code."""
    plain = copy.copy(policy)
    plain.__class__ = RulePolicy
    return plain


def rasa_prediction(policy, tracker, domain):
    return as_rasas_own(policy).predict_action_probabilities(tracker, domain)


def cheap_prediction(policy, tracker, domain):
    return policy.predict_action_probabilities(tracker, domain)


def summary(prediction):
    # The policy's name is its class's: this project's is named in config.yml, Rasa's is "RulePolicy".
    return (prediction.probabilities, prediction.policy_name.replace(RecentStatesRulePolicy.__name__, "RulePolicy"), prediction.events, prediction.optional_events,
            prediction.is_end_to_end_prediction, prediction.is_no_user_prediction, prediction.hide_rule_turn,
            prediction.action_metadata)


def odd_event(rng):
    """An event after which RulePolicy's own code must build the states (or a fresh session begins)."""
    return rng.choice([UserUtteranceReverted(), ActionReverted(), FollowupAction("utter_greet"),
                       ActiveLoop("action_clarify"), ActiveLoop(None), Restarted(), SessionStarted()])


def user_message(rng, intents, entities):
    """A parsed message as the NLU pipeline could give it: an intent of the domain (sometimes with
    entities), an intent the domain does not know, or text alone."""
    roll = rng.random()
    if roll < 0.08:
        return UserUttered("text only, no intent")
    intent = "not_in_this_domain" if roll < 0.12 else rng.choice(intents)
    found = [{"entity": name, "value": "x", "start": 0, "end": 1} for name in entities if rng.random() < 0.2]
    return UserUttered(f"message about {intent}", {"name": intent, "confidence": 0.9}, entities=found)


def prediction_points(policy, domain, seed):
    """Trackers at each point where Rasa asks the policies for the next action, in generated
    conversations whose actions are RulePolicy's own choices."""
    rng = random.Random(seed)
    intents, entities = sorted(domain.intents), sorted(domain.entities)
    for number in range(CONVERSATIONS):
        tracker = DialogueStateTracker.from_events(
            f"c{number}", [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)],
            domain.slots)
        odd = number % 3 == 0
        for _ in range(rng.randint(1, 7)):
            tracker.update(user_message(rng, intents, entities))
            if rng.random() < 0.5:
                tracker.update(DefinePrevUserUtteredFeaturization(rng.random() < 0.2))
            if odd and rng.random() < 0.3:
                tracker.update(odd_event(rng))
            for _ in range(3):
                yield tracker.copy()
                probabilities = rasa_prediction(policy, tracker, domain).probabilities
                action = domain.action_names_or_texts[max(range(len(probabilities)), key=probabilities.__getitem__)]
                tracker.update(ActionExecuted(action))
                if action == ACTION_LISTEN_NAME:
                    break
                if action == ACTION_RESTART_NAME:
                    tracker.update(Restarted())
                tracker.update(BotUttered(f"reply of {action}"))
                if rng.random() < 0.5:
                    tracker.update(SlotSet("last_answer_id", f"answer-{rng.randint(1, 5)}"))
                if rng.random() < 0.1:  # out of its usual place, where Rasa ignores it
                    tracker.update(DefinePrevUserUtteredFeaturization(rng.random() < 0.5))


@pytest.mark.parametrize("seed", [1, 2])
def test_same_predictions_as_rasa(model, seed):
    policy, domain = model
    assert rule_states.states_are_simple(domain) and rule_states.rule_facts(policy).recent_suffice
    points = cheap = 0
    for tracker in prediction_points(policy, domain, seed):
        points += 1
        cheap += rule_states.simple_session(tracker) is not None
        assert summary(cheap_prediction(policy, tracker, domain)) == summary(rasa_prediction(policy, tracker, domain))
    assert points > 500 and 0.5 * points < cheap < points  # both paths were taken, the cheap one mostly


@pytest.mark.parametrize("seed", [3])
def test_same_latest_states_as_rasa(model, seed):
    policy, domain = model
    keep = rule_states.rule_facts(policy).longest_rule
    assert keep >= 2  # the "typed yes right after an answer" rules look two states back
    for tracker in prediction_points(policy, domain, seed):
        for use_text in (True, False):
            full = RulePolicy._prediction_states(policy, tracker, domain, use_text)
            latest = rule_states.recent_prediction_states(policy, tracker, domain, use_text)
            if rule_states.simple_session(tracker) is None:
                assert latest == full  # Rasa's own code ran
            else:
                assert latest == full[-keep:]


def test_simple_session_is_what_rasa_applies(model):
    policy, domain = model
    for tracker in prediction_points(policy, domain, 4):
        session = rule_states.simple_session(tracker)
        if session is not None:
            assert session == tracker.applied_events()


def test_remembered_matches_stay_bounded(model, monkeypatch):
    policy, domain = model
    monkeypatch.setattr(rule_states, "REMEMBERED_MATCHES", 5)
    policy.__dict__.pop("_mbc_possible_keys", None)  # what earlier tests left
    for tracker in prediction_points(policy, domain, 5):
        cheap_prediction(policy, tracker, domain)
        assert len(policy.__dict__["_mbc_possible_keys"]) <= 5


def test_rasa_decides_when_a_prediction_without_rule_could_be_hidden(model):
    """A trained lookup whose rules "not in stories" hold something other than rules and default-action
    notes (not this project's): a prediction no rule made could be looked up there, and only the full
    list of states describes it as Rasa does, so the cheap path stays out."""
    policy, domain = model
    other = copy.copy(policy)
    for cached in [name for name in other.__dict__ if name.startswith("_mbc_")]:
        del other.__dict__[cached]
    other.lookup = {**policy.lookup, RULES_NOT_IN_STORIES: [*policy.lookup[RULES_NOT_IN_STORIES], "[{}]"]}
    assert not rule_states.rule_facts(other).recent_suffice
    for tracker in prediction_points(other, domain, 6):
        assert (rule_states.recent_prediction_states(other, tracker, domain)
                == RulePolicy._prediction_states(other, tracker, domain))


def test_no_message_text_is_remembered(model):
    policy, domain = model
    assert not rule_states.rule_facts(policy).rules_read_text
    for tracker in prediction_points(policy, domain, 7):
        cheap_prediction(policy, tracker, domain)
    remembered = policy.__dict__["_mbc_possible_keys"]
    assert any('"text": ""' in states for _, states in remembered)  # the text pass was remembered, blanked
    assert not any("message about" in states or "text only" in states for _, states in remembered)


def test_lists_with_text_are_not_remembered_when_a_rule_reads_text(model, monkeypatch):
    policy, domain = model
    monkeypatch.setitem(policy.__dict__, "_mbc_rule_facts", rule_states.rule_facts(policy)._replace(rules_read_text=True))
    monkeypatch.setitem(policy.__dict__, "_mbc_possible_keys", {})
    for tracker in prediction_points(policy, domain, 8):
        assert summary(cheap_prediction(policy, tracker, domain)) == summary(rasa_prediction(policy, tracker, domain))
    remembered = policy.__dict__["_mbc_possible_keys"]
    assert remembered and not any('"text"' in states for _, states in remembered)
