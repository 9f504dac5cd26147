"""The action server's actions, with tracker fixtures (shaped as Rasa sends them) and a real content store."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SessionStarted
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.answers import ActionAnswerFaq, ActionFollowUp, chosen_answer_id, next_in_article
from actions.conversation import ActionRecordFeedback, ActionSessionStart
from actions.replies import help_lines
from actions.safety import ActionMedicalAdvice, ActionSafetyHelp
from actions import support
from actions.scope import ActionClarify, ActionListQuestions, ActionNotCovered
from actions.support import ActionAcknowledgeFeelings, ActionOfferPerson
from content.article import split_answer
from content.store import VettingRow, get_engine


def selector(*ranked):
    """An answer ranking (response_selector.faq) from (answer id, confidence) pairs, best first."""
    ranking = [{"intent_response_key": f"faq/{i}", "confidence": c} for i, c in ranked]
    return {"faq": {"response": dict(ranking[0]) if ranking else {}, "ranking": ranking}}


def tracker_for(intent="faq", ranked=(("what_is_ned", 0.97),), entities=(), slots=None, **extra):
    message = {"text": "question", "intent": {"name": intent, "confidence": 0.99},
               "entities": [{"entity": k, "value": v} for k, v in entities],
               "response_selector": selector(*ranked), **extra}
    return Tracker("user-1", slots or {}, message, [], False, None, {}, "action_listen")


@pytest.fixture
def store_env(loaded_store, monkeypatch):
    monkeypatch.setenv("MBC_CONTENT_DB_URL", loaded_store)
    return loaded_store


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(messages):
    return [m.get("text") or "" for m in messages]


def served_answer_ids(messages, content):
    by_text = {a.text: a.id for a in content.answers.values()}
    return [by_text[t] for t in texts(messages) if t in by_text]


def test_chosen_answer_id_reads_the_selector_or_the_button_entity():
    assert chosen_answer_id(tracker_for(ranked=(("what_is_ned", 0.9),))) == "what_is_ned"
    assert chosen_answer_id(tracker_for("choose_answer", ranked=(("is_mbc_curable", 0.9),),
                                        entities=[("answer_id", "treatment_goals")])) == "treatment_goals"
    assert chosen_answer_id(Tracker("u", {}, {"text": "x"}, [], False, None, {}, "")) is None


def test_serves_verbatim_text_then_link_then_feedback_question(store_env, content, nlp):
    messages, slots = run(ActionAnswerFaq(), tracker_for(ranked=(("what_is_stable_disease", 0.97),)))
    answer = content.answers["what_is_stable_disease"]
    assert messages[0]["text"] == answer.text
    article = content.articles[answer.article_id]
    units = {(u.kind, u.text) for u in article.parsed.units}
    assert all(piece in units for piece in split_answer(nlp, messages[0]["text"]))
    link = messages[1]["buttons"][0]["url"]
    assert link.startswith(article.meta["canonical_url"] + "#:~:text=")
    assert link in messages[1]["text"], "text-only clients need the bare URL"
    assert messages[2]["text"] == "Was this helpful?"
    assert [b["payload"] for b in messages[2]["buttons"]] == ['/feedback{"helpful":"yes"}', '/feedback{"helpful":"no"}']
    assert slots == {"last_answer_id": "what_is_stable_disease", "outcome": "answered",
                     "choices": ['/feedback{"helpful":"yes"}', '/feedback{"helpful":"no"}']}


def test_a_button_choice_serves_that_answer(store_env, content):
    tracker = tracker_for("choose_answer", ranked=(("what_is_ned", 0.9),), entities=[("answer_id", "treatment_goals")])
    messages, slots = run(ActionAnswerFaq(), tracker)
    assert served_answer_ids(messages, content) == ["treatment_goals"]
    assert slots["outcome"] == "chosen"


@pytest.mark.parametrize("ranked", [(("no_such_answer", 0.99),), ()])
def test_unknown_answer_gets_a_kind_reply_not_empty_text(store_env, ranked):
    messages, slots = run(ActionAnswerFaq(), tracker_for(ranked=ranked))
    assert len(messages) == 1 and messages[0]["response"] == "utter_answer_unavailable"


def test_unapproved_answer_is_not_served(store_env, content):
    with Session(get_engine(store_env)) as session, session.begin():
        session.add(VettingRow(answer_id="what_is_ned", status="draft", vetted_by="test"))
    messages, _ = run(ActionAnswerFaq(), tracker_for(ranked=(("what_is_ned", 0.99),)))
    assert messages[0].get("response") == "utter_answer_unavailable"
    assert content.answers["what_is_ned"].text not in texts(messages)


def test_emergency_gets_the_configured_help_line_first(store_env):
    messages, slots = run(ActionSafetyHelp(), tracker_for("emergency", safety={"category": "emergency"}))
    assert messages[0]["text"] == help_lines()["emergency"] and "911" in messages[0]["text"]
    assert slots == {"outcome": "emergency"}


def test_fever_during_treatment_points_to_the_care_team(store_env):
    safety = {"category": "emergency", "pattern": {"rule": "fever_on_treatment", "matched": "fever + chemo"}}
    messages, _ = run(ActionSafetyHelp(), tracker_for("emergency", safety=safety))
    assert messages[0]["text"] == help_lines()["fever_on_treatment"] and "care team" in messages[0]["text"]


def test_crisis_gets_988_and_no_answer_text(store_env, content):
    safety = {"category": "crisis", "classifier": {"name": "faq", "confidence": 0.99}}
    messages, slots = run(ActionSafetyHelp(), tracker_for("crisis", ranked=(("what_is_ned", 0.99),), safety=safety))
    assert "988" in messages[0]["text"] and len(messages) == 1
    assert slots == {"outcome": "crisis"}


def test_emergency_then_the_question_when_it_is_certain(store_env, content):
    safety = {"category": "emergency", "classifier": {"name": "faq", "confidence": 0.98}}
    messages, _ = run(ActionSafetyHelp(), tracker_for("emergency", ranked=(("what_is_ned", 0.97),), safety=safety))
    assert messages[0]["text"] == help_lines()["emergency"]
    assert served_answer_ids(messages, content) == ["what_is_ned"]


def test_help_lines_are_configurable_by_region(monkeypatch):
    help_lines.cache_clear()
    monkeypatch.setenv("MBC_HELP_LINES", "nowhere")
    with pytest.raises(KeyError, match="MBC_HELP_LINES"):
        help_lines()
    help_lines.cache_clear()


def test_medical_advice_boundary_then_related_answer(store_env, content):
    messages, slots = run(ActionMedicalAdvice(), tracker_for("medical_advice",
                                                             ranked=(("side_effects_and_daily_life", 0.9),)))
    assert messages[0]["response"] == "utter_medical_advice"
    assert served_answer_ids(messages, content) == ["side_effects_and_daily_life"]
    assert slots["outcome"] == "advice"


def test_medical_advice_without_a_confident_match_serves_no_answer(store_env, content):
    messages, _ = run(ActionMedicalAdvice(), tracker_for("medical_advice",
                                                         ranked=(("what_is_ned", 0.4), ("treatment_goals", 0.3))))
    assert served_answer_ids(messages, content) == []
    assert [b["title"] for b in messages[-1]["buttons"]] == [content.answers["what_is_ned"].title,
                                                              content.answers["treatment_goals"].title]


def test_did_you_mean_offers_titles_and_none_of_these(store_env, content):
    gate = {"decision": "suggest", "candidates": ["is_mbc_curable", "what_is_ned"]}
    messages, slots = run(ActionClarify(), tracker_for("nlu_fallback", answer_gate=gate))
    buttons = messages[0]["buttons"]
    assert [b["title"] for b in buttons] == [content.answers["is_mbc_curable"].title,
                                             content.answers["what_is_ned"].title, "None of these"]
    assert buttons[0]["payload"] == '/choose_answer{"answer_id":"is_mbc_curable"}'
    assert served_answer_ids(messages, content) == [] and slots["outcome"] == "did_you_mean"


def test_no_candidates_means_not_covered(store_env, content):
    messages, slots = run(ActionClarify(), tracker_for("nlu_fallback", answer_gate={"decision": "reject"}))
    assert messages[0]["response"] == "utter_not_covered" and slots["outcome"] == "not_covered"
    assert served_answer_ids(messages, content) == []


def test_not_covered_never_serves_answer_text_even_when_the_selector_is_sure(store_env, content):
    messages, _ = run(ActionNotCovered(), tracker_for("ask_uncovered", ranked=(("is_mbc_curable", 0.99),)))
    assert messages[0]["response"] == "utter_not_covered"
    assert served_answer_ids(messages, content) == []
    assert content.answers["is_mbc_curable"].title in [b["title"] for b in messages[1]["buttons"]]


def test_list_questions_offers_every_approved_title(store_env, content):
    messages, _ = run(ActionListQuestions(), tracker_for("ask_capabilities"))
    assert {b["title"] for b in messages[1]["buttons"]} == {a.title for a in content.answers.values()}


def test_tell_me_more_serves_the_next_passage(store_env, content):
    assert next_in_article("what_is_ned") == "what_is_stable_disease"
    messages, slots = run(ActionFollowUp(), tracker_for("tell_more", slots={"last_answer_id": "what_is_ned"}))
    assert served_answer_ids(messages, content) == ["what_is_stable_disease"]
    assert slots["last_answer_id"] == "what_is_stable_disease"


def test_what_does_that_mean_points_to_the_passage_not_new_words(store_env, content):
    messages, _ = run(ActionFollowUp(), tracker_for("explain_that", slots={"last_answer_id": "what_is_ned"}))
    assert messages[0]["response"] == "utter_only_article_words"
    assert "#:~:text=" in messages[0]["buttons"][0]["url"]
    assert served_answer_ids(messages, content) == []


def test_follow_up_without_a_topic_asks_which(store_env):
    messages, _ = run(ActionFollowUp(), tracker_for("tell_more"))
    assert messages[0]["response"] == "utter_follow_up_without_topic"


@pytest.mark.parametrize("intent, entities, expected", [
    ("feedback", [("helpful", "yes")], "yes"), ("feedback", [("helpful", "no")], "no"),
    ("affirm", [], "yes"), ("deny", [], "no")])
def test_feedback_is_stored_with_the_answer_it_is_about(store_env, intent, entities, expected):
    messages, slots = run(ActionRecordFeedback(), tracker_for(intent, entities=entities,
                                                              slots={"last_answer_id": "what_is_ned"}))
    assert slots == {"feedback": expected, "feedback_answer_id": "what_is_ned", "outcome": "feedback"}


def test_session_starts_with_the_disclaimer(store_env):
    dispatcher = CollectingDispatcher()
    events = ActionSessionStart().run(dispatcher, tracker_for("greet"), {})
    text = dispatcher.messages[0]["text"]
    assert "not medical advice" in text and "911" in text and "988" in text
    assert "What makes metastatic breast cancer different" in text
    assert events[0] == SessionStarted() and events[-1]["name"] == "action_listen"


def test_unsure_safety_signal_gives_a_note_then_the_answer(store_env, content):
    safety = {"category": "emergency", "certain": False, "pattern": None,
              "classifier": {"name": "emergency", "confidence": 0.6}}
    messages, slots = run(ActionSafetyHelp(), tracker_for("emergency", ranked=(("when_treatment_stops_working", 0.9),),
                                                         safety=safety))
    assert messages[0]["text"] == help_lines()["safety_note"] and "911" in messages[0]["text"]
    assert served_answer_ids(messages, content) == ["when_treatment_stops_working"]
    assert slots["outcome"] == "safety_note"


def test_unsure_safety_signal_without_a_clear_answer_asks_again(store_env, content):
    safety = {"category": "crisis", "certain": False, "classifier": {"name": "crisis", "confidence": 0.6}}
    messages, _ = run(ActionSafetyHelp(), tracker_for("crisis", ranked=(("what_is_ned", 0.1),), safety=safety))
    assert messages[0]["text"] == help_lines()["safety_note"] and "988" in messages[0]["text"]
    assert messages[1]["response"] == "utter_not_sure" and served_answer_ids(messages, content) == []


def test_replies_with_choices_remember_them_for_numbered_answers(store_env):
    dispatcher = CollectingDispatcher()
    events = ActionAnswerFaq().run(dispatcher, tracker_for(ranked=(("what_is_ned", 0.97),)), {})
    choices = next(e["value"] for e in events if e.get("name") == "choices")
    assert choices == ['/feedback{"helpful":"yes"}', '/feedback{"helpful":"no"}']  # links are not choices


@pytest.mark.parametrize("text, expected", [("2", "no"), ("option 1", "yes")])
def test_a_typed_number_picks_that_choice(store_env, text, expected):
    from actions.choices import ActionChooseNumber
    tracker = tracker_for("choose_number", slots={"choices": ['/feedback{"helpful":"yes"}', '/feedback{"helpful":"no"}'],
                                                  "last_answer_id": "what_is_ned"})
    tracker.latest_message["text"] = text
    messages, slots = run(ActionChooseNumber(), tracker)
    assert slots["feedback"] == expected and slots["feedback_answer_id"] == "what_is_ned"


def test_a_number_picks_an_answer_title(store_env, content):
    from actions.choices import ActionChooseNumber
    tracker = tracker_for("choose_number", slots={"choices": ['/choose_answer{"answer_id":"treatment_goals"}',
                                                             "/none_of_these"]})
    tracker.latest_message["text"] = "1"
    messages, _ = run(ActionChooseNumber(), tracker)
    assert served_answer_ids(messages, content) == ["treatment_goals"]


@pytest.mark.parametrize("text", ["7", "0", "none"])
def test_a_number_without_a_choice_asks_again(store_env, text):
    from actions.choices import ActionChooseNumber
    tracker = tracker_for("choose_number", slots={"choices": ["/none_of_these"]})
    tracker.latest_message["text"] = text
    messages, _ = run(ActionChooseNumber(), tracker)
    assert messages[0]["response"] == "utter_choose_again"


def test_session_start_names_the_article_and_publisher_the_store_holds(store_env, content):
    dispatcher = CollectingDispatcher()
    events = ActionSessionStart().run(dispatcher, tracker_for("greet"), {})
    meta = next(iter(content.articles.values())).meta
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots == {"sources": f"the article “{meta['title']}”", "publisher": meta["publisher"]}
    assert meta["title"] in dispatcher.messages[0]["text"] and meta["publisher"] in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("articles, sources, publishers", [
    ([("A", "P", "u1"), ("B", "Q", "u2")], "the articles “A” and “B”", "P and Q"),
    ([("A", "P", "u1"), ("B", "P", "u2"), ("C", "Q", "u3")], "the articles “A”, “B” and “C”", "P and Q"),
    ([(t, "P", "u") for t in "ABCDE"], "5 articles", "P"),
])
def test_replies_name_every_article_of_the_library(articles, sources, publishers):
    from actions.replies import describe_library
    assert describe_library(articles) == (sources, publishers)


def test_a_heavy_feeling_gets_kindness_and_a_way_to_the_publisher_not_a_help_line(store_env, content):
    messages, slots = run(ActionAcknowledgeFeelings(), tracker_for("express_feelings"))
    assert [m.get("response") for m in messages] == ["utter_acknowledge_feelings", None, "utter_when_ready"]
    meta = next(iter(content.articles.values())).meta
    site = "https://" + meta["canonical_url"].split("/")[2]
    assert messages[1]["text"] == f"You can reach {meta['publisher']} through its website: {site}"
    assert messages[1]["buttons"][0]["url"] == site
    lines = help_lines()
    assert not any(lines[k] in (m.get("text") or "") for m in messages for k in ("crisis", "emergency", "safety_note"))
    assert not any(a.text in (m.get("text") or "") for m in messages for a in content.answers.values())
    assert slots["outcome"] == "feelings"


def test_asking_for_a_person_gets_the_publishers_confirmed_contacts(store_env, content, monkeypatch, tmp_path):
    meta = next(iter(content.articles.values())).meta
    contacts = tmp_path / "contacts.yml"
    contacts.write_text(f'us:\n  "{meta["publisher"]}":\n    - label: Helpline\n      text: "+1 555 0100"\n'
                        f'    - label: Support groups\n      url: "https://example.org/groups"\n')
    monkeypatch.setattr(support, "CONTACTS_FILE", contacts)
    support.configured_contacts.cache_clear()
    try:
        messages, slots = run(ActionOfferPerson(), tracker_for("ask_for_person"))
    finally:
        support.configured_contacts.cache_clear()
    assert messages[0]["response"] == "utter_not_a_person" and messages[-1]["response"] == "utter_care_team_too"
    assert messages[1]["text"] == f"You can reach {meta['publisher']}:\nHelpline: +1 555 0100\nSupport groups: https://example.org/groups"
    assert [b["url"] for b in messages[1]["buttons"]] == ["https://example.org/groups"]
    assert slots["outcome"] == "asked_for_person"


def test_shipped_contacts_hold_no_number_nobody_confirmed():
    """data/support/contacts.yml: every entry has a label and a text or URL; none is in the code."""
    import yaml

    shipped = yaml.safe_load(support.CONTACTS_FILE.read_text(encoding="utf-8"))
    for region in shipped.values():
        for entries in region.values():
            assert all(e.get("label") and (e.get("text") or e.get("url")) for e in entries or [])
    code = (support.CONTACTS_FILE.parents[2] / "actions" / "support.py").read_text()
    assert not __import__("re").search(r"\d{3}[-. ]\d{3,4}", code)
