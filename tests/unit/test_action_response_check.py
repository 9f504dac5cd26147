"""The action-response check gives Rasa's own verdict (jsonschema.validate on Rasa's schema) for valid
and broken responses, including generated ones."""
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from runtime.processor import validate_action_response

SPEC = RemoteAction.action_response_format_spec()
EVENT_NAMES = [alt["properties"]["event"]["const"] for alt in SPEC["properties"]["events"]["items"]["oneOf"]]


def rasa_verdict(response) -> bool:
    try:
        jsonschema.validate(response, SPEC)
        return True
    except jsonschema.ValidationError:
        return False


def our_verdict(response) -> bool:
    try:
        return validate_action_response(response)
    except jsonschema.ValidationError:
        return False


REAL_EVENTS = [e.as_dict() for e in [
    SlotSet("outcome", "answered"), BotUttered("Hello", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
    ActionExecuted("action_listen"), SessionStarted(), FollowupAction("action_listen"), Restarted(),
    ActiveLoop(None), UserUttered("hi", {"name": "greet", "confidence": 1.0})]]


@pytest.mark.parametrize("response, valid", [
    ({"events": REAL_EVENTS, "responses": [{"text": "Hello"}]}, True),
    ({"events": [], "responses": []}, True),
    ({}, True),
    ({"events": [{"event": "slot", "name": 3, "value": 1}]}, False),
    ({"events": [{"event": "no_such_event"}]}, False),
    ({"events": [{"event": 5}]}, False),
    ({"events": [{"name": "outcome"}]}, False),
    ({"events": ["slot"]}, False),
    ({"events": [{"event": "bot", "timestamp": "yesterday"}]}, False),
    ({"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": 3}}}]}, False),
    ({"events": {"event": "bot"}}, False),
    ({"responses": [1, 2]}, False),
    ([], False),
])
def test_same_verdict_as_rasa(response, valid):
    assert rasa_verdict(response) is valid
    assert our_verdict(response) is valid


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=6)
FIELDS = ["name", "value", "text", "timestamp", "metadata", "parse_data", "policy", "confidence", "entities",
          "input_channel", "message_id", "hide_rule_turn", "action_text", "data"]
EVENT = st.builds(lambda name, extra: {"event": name, **extra},
                  st.sampled_from(EVENT_NAMES + ["unknown"]) | st.integers(),
                  st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=4))


@settings(max_examples=200, deadline=None)
@given(st.lists(EVENT | JSON, max_size=4))
def test_generated_events_same_verdict_as_rasa(events):
    response = {"events": events, "responses": []}
    assert our_verdict(response) is rasa_verdict(response)
