"""The action call's body (runtime.processor.encode_json), sent as aiohttp sends it (UTF-8), decodes to
exactly what Rasa sends, whatever the user typed: any text (emoji, right-to-left, control characters,
lone surrogates), any numbers."""
import json
from functools import lru_cache

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from runtime.processor import encode_json
from settings import ROOT


def sent(body) -> bytes:
    return encode_json(body).encode("utf-8")  # as aiohttp's JSON payload does


# Any code point, lone surrogates included (hypothesis leaves them out of text unless asked).
any_text = st.text(st.characters(exclude_categories=[]))
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=20)


@settings(max_examples=500, deadline=None)
@given(values)
@example({"text": "\udc00", "n": 2 ** 70, "x": 1e-320})
def test_any_json_value_decodes_to_itself(value):
    assert json.loads(sent(value)) == value


@lru_cache(maxsize=1)
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@given(any_text)
@example("half an emoji: \ud83d, right-to-left: \u05e9\u05dc\u05d5\u05dd, control: \x00\x1b")
def test_any_user_text_in_a_tracker_state(text):
    tracker = DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered(text, {"name": "faq", "confidence": 0.8123456789}), ActionExecuted("action_answer_faq"),
        BotUttered("An answer."), SlotSet("last_answer_id", "a1"), ActionExecuted("action_listen")], domain().slots)
    body = {"next_action": "action_answer_faq", "sender_id": "someone",
            "tracker": tracker.current_state(EventVerbosity.ALL)}
    assert json.loads(sent(body)) == json.loads(json.dumps(body))
