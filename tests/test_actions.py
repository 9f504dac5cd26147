"""The action server's answer action, with tracker fixtures and a real content store."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerFaq, chosen_answer_id
from mbc.article import split_answer


def tracker_for(intent_response_key, text="question", confidence=0.97):
    selector = {"faq": {"response": {"intent_response_key": intent_response_key, "confidence": confidence},
                        "ranking": [{"intent_response_key": intent_response_key, "confidence": confidence}]}}
    message = {"text": text, "intent": {"name": "faq", "confidence": 0.99}, "entities": [],
               "response_selector": selector}
    return Tracker("user-1", {}, message, [], False, None, {}, "action_listen")


@pytest.fixture
def store_env(loaded_store, monkeypatch):
    monkeypatch.setenv("MBC_CONTENT_DB_URL", loaded_store)
    return loaded_store


def run_action(tracker):
    dispatcher = CollectingDispatcher()
    events = ActionAnswerFaq().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_chosen_answer_id_reads_the_response_selector():
    assert chosen_answer_id(tracker_for("faq/what_is_ned")) == "what_is_ned"
    assert chosen_answer_id(Tracker("u", {}, {"text": "x"}, [], False, None, {}, "")) is None


def test_serves_verbatim_text_then_link(store_env, content, nlp):
    messages, _ = run_action(tracker_for("faq/what_is_stable_disease"))
    answer = content.answers["what_is_stable_disease"]
    assert messages[0]["text"] == answer.text
    article = content.articles[answer.article_id]
    units = {(u.kind, u.text) for u in article.parsed.units}
    assert all(piece in units for piece in split_answer(nlp, messages[0]["text"]))
    link = messages[1]["buttons"][0]["url"]
    assert link.startswith(article.meta["canonical_url"] + "#:~:text=")
    assert link in messages[1]["text"], "text-only clients need the bare URL"
    assert messages[1]["buttons"][0]["title"] == "Read the full article"


@pytest.mark.parametrize("key", ["faq/no_such_answer", None])
def test_unknown_answer_gets_a_kind_reply_not_empty_text(store_env, key):
    messages, _ = run_action(tracker_for(key))
    assert len(messages) == 1 and messages[0]["response"] == "utter_answer_unavailable"


def test_unapproved_answer_is_not_served(store_env, content):
    from mbc.store import VettingRow, get_engine
    from sqlalchemy.orm import Session
    with Session(get_engine(store_env)) as session, session.begin():
        session.add(VettingRow(answer_id="what_is_ned", status="draft", vetted_by="test"))
    messages, _ = run_action(tracker_for("faq/what_is_ned"))
    assert messages[0].get("response") == "utter_answer_unavailable"
    assert all(content.answers["what_is_ned"].text not in (m.get("text") or "") for m in messages)
