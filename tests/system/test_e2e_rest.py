"""End to end: the real action server and Rasa server, asked over the REST channel, conversations kept
in the SQL tracker store (a SQLite file, and PostgreSQL)."""
import json
import urllib.error
import urllib.request
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import settings as project
from content.article import split_answer
from content.load import sync
from content.store import create_schema, get_engine
from scripts.stack import ask, running_stack

ROOT = project.ROOT


def start(tmp_dir, content, rasa_port, action_port, tracker_url):
    content_url = f"sqlite:///{tmp_dir / 'content.db'}"
    engine = get_engine(content_url)
    create_schema(engine)
    sync(content, engine)
    return running_stack(tmp_dir, rasa_port=rasa_port, action_port=action_port,
                         MBC_CONTENT_DB_URL=content_url, MBC_TRACKER_DB_URL=tracker_url)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, content):
    tmp = tmp_path_factory.mktemp("stack")
    tracker_url = f"sqlite:///{tmp / 'tracker.db'}"
    with start(tmp, content, 15205, 15255, tracker_url) as (url, _):
        yield {"url": url, "tracker_url": tracker_url, "content_url": f"sqlite:///{tmp / 'content.db'}"}


def article_units(content):
    return {(u.kind, u.text) for a in content.articles.values() for u in a.parsed.units}


def served_answer(messages, content):
    """The approved answer whose text a reply carries, or None."""
    by_text = {a.text: a for a in content.answers.values()}
    return next((by_text[m["text"]] for m in messages if m.get("text") in by_text), None)


def assert_verbatim_with_link(messages, content, nlp):
    answer = served_answer(messages, content)
    assert answer is not None, messages
    units = article_units(content)
    assert all(piece in units for piece in split_answer(nlp, answer.text))
    url = content.articles[answer.article_id].meta["canonical_url"]
    links = [m for m in messages if url in (m.get("text") or "") and m.get("buttons")]
    assert links and links[0]["buttons"][0]["url"].startswith(url + "#:~:text=")
    return answer


@pytest.mark.parametrize("question, answer_id", [
    ("what is stable disease", "what_is_stable_disease"),
    ("can stage I become metastatic?", "early_stage_can_become_metastatic"),
    ("is MBC curable?", "is_mbc_curable"),
])
def test_issue_examples_are_answered_verbatim_with_link(stack, content, nlp, question, answer_id):
    messages = ask(stack["url"], question, f"e2e-{uuid.uuid4().hex}")
    assert assert_verbatim_with_link(messages, content, nlp).id == answer_id


def test_every_served_answer_is_verbatim_and_linked(stack, content, nlp):
    heldout = [json.loads(l) for l in (ROOT / "tests/heldout/faq_heldout.jsonl").read_text().splitlines()]
    served = 0
    for item in heldout:
        messages = ask(stack["url"], item["text"], f"e2e-{uuid.uuid4().hex}")
        assert messages, f"empty reply to {item['text']!r}"
        assert all((m.get("text") or m.get("buttons")) for m in messages)
        if served_answer(messages, content):
            assert_verbatim_with_link(messages, content, nlp)
            served += 1
    assert served >= len([i for i in heldout if i["answer"] in content.answers]) * 0.8


def test_conversation_is_kept_in_the_tracker_store(stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    ask(stack["url"], "hello", sender)
    ask(stack["url"], "what is NED", sender)
    engine = sa.create_engine(stack["tracker_url"], future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                            {"s": sender}).all()
    user_texts = [json.loads(d)["text"] for t, d in rows if t == "user"]
    bot_texts = [json.loads(d)["text"] for t, d in rows if t == "bot"]
    assert user_texts == ["hello", "what is NED"]
    assert any("no evidence of disease" in (t or "") for t in bot_texts)


def test_a_long_conversation_remembers_the_answer_from_turns_ago(stack):
    """The server reads a bounded part of a long conversation (MBC_TRACKER_TURNS, 2 here): an answer given
    five turns earlier is still the one "tell me more" continues, a typed "yes" right after an answer is
    feedback on it, and every turn is stored."""
    sender = f"e2e-{uuid.uuid4().hex}"
    first = ask(stack["url"], "what is stable disease", sender)
    small_talk = ["hello", "are you a bot?", "thanks", "hi", "what can you ask you"]
    for text in small_talk:
        ask(stack["url"], text, sender)
    link = next(b["url"] for m in first for b in m.get("buttons") or [] if b.get("url"))
    more = ask(stack["url"], "tell me more", sender)
    # It follows on from that answer: the next passage, or that answer's passage in the article.
    assert any(link in (m.get("text") or "") or "Here is what the article says next:" == m.get("text")
               for m in more), more
    engine = sa.create_engine(stack["tracker_url"], future=True)
    with engine.connect() as conn:
        users = conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' "
                                     "ORDER BY id"), {"s": sender}).scalars().all()
    assert [json.loads(u)["text"] for u in users] == ["what is stable disease", *small_talk, "tell me more"]
    ask(stack["url"], "what is NED", sender)
    thanks = [m.get("text") for m in ask(stack["url"], "yes", sender)]
    with engine.connect() as conn:
        slots = [json.loads(d) for d in conn.execute(sa.text(
            "SELECT data FROM events WHERE sender_id = :s AND type_name = 'slot' ORDER BY id"), {"s": sender}).scalars()]
    assert {s["name"]: s["value"] for s in slots}.get("feedback") == "yes", thanks


@pytest.mark.parametrize("message", ["", "   ", "x" * 5000, "🙂🙂🙂", "<script>alert(1)</script>", "مرحبا"])
def test_odd_messages_get_a_reply_not_an_error(stack, message):
    messages = ask(stack["url"], message, f"e2e-{uuid.uuid4().hex}")
    assert messages and all(m.get("text", "").strip() for m in messages), messages


def test_http_api_that_reads_conversations_is_closed(stack):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{stack['url']}/conversations/someone/tracker", timeout=5)
    assert info.value.code in (401, 403, 404)


def test_tracker_store_on_postgresql(tmp_path, content, postgres_url):
    with start(tmp_path, content, 15305, 15355, postgres_url) as (url, _):
        sender = f"e2e-{uuid.uuid4().hex}"
        messages = ask(url, "what does stable disease mean", sender)
        assert served_answer(messages, content) is not None
    engine = sa.create_engine(postgres_url, future=True)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'user'"),
                             {"s": sender}).scalar_one()
    engine.dispose()
    assert count == 1


def help_line(key):
    from actions.replies import help_lines
    return help_lines()[key]


def test_conversation_opens_with_the_disclaimer_once(stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    first = ask(stack["url"], "hello", sender)
    assert "not medical advice" in first[0]["text"] and "911" in first[0]["text"]
    second = ask(stack["url"], "what is NED", sender)
    assert all("not medical advice" not in (m.get("text") or "") for m in second)


@pytest.mark.parametrize("text, key", [
    ("what is stable disease? also my dad is coughing up blood right now", "emergency"),
    ("my wife is on chemo and has a fever of 101", "fever_on_treatment"),
    ("i want to end my life", "crisis"),
])
def test_emergencies_get_help_first_over_rest(stack, text, key):
    sender = f"e2e-{uuid.uuid4().hex}"
    messages = ask(stack["url"], text, sender)
    replies = [m.get("text") for m in messages]
    assert help_line(key) in replies
    # Help comes before anything else the assistant says (after the opening disclaimer).
    assert replies.index(help_line(key)) <= 1
    # Logged as such for staff: the intent, what matched, and the outcome slot.
    engine = sa.create_engine(stack["tracker_url"], future=True)
    with engine.connect() as conn:
        rows = [(t, json.loads(d)) for t, d in conn.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})]
    user = next(d for t, d in rows if t == "user")
    category = "crisis" if key == "crisis" else "emergency"
    assert user["parse_data"]["intent"]["name"] == category
    assert user["parse_data"]["safety"]["category"] == category
    assert {"name": "outcome", "value": category} in [{"name": d["name"], "value": d["value"]}
                                                      for t, d in rows if t == "slot"]


def test_uncovered_question_serves_no_answer_text(stack, content):
    messages = ask(stack["url"], "what are the side effects of tamoxifen", f"e2e-{uuid.uuid4().hex}")
    assert served_answer(messages, content) is None
    assert any(b.get("payload", "").startswith("/choose_answer") for m in messages for b in m.get("buttons") or [])


def test_a_question_title_button_serves_that_answer_and_feedback_is_stored(stack, content, nlp):
    sender = f"e2e-{uuid.uuid4().hex}"
    messages = ask(stack["url"], '/choose_answer{"answer_id":"treatment_goals"}', sender)
    assert assert_verbatim_with_link(messages, content, nlp).id == "treatment_goals"
    feedback = next(m for m in messages if m.get("text") == "Was this helpful?")
    no = next(b["payload"] for b in feedback["buttons"] if b["title"] == "No")
    ask(stack["url"], no, sender)
    engine = sa.create_engine(stack["tracker_url"], future=True)
    with engine.connect() as conn:
        slots = [json.loads(d) for t, d in conn.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s AND type_name = 'slot' ORDER BY id"),
            {"s": sender})]
    values = {s["name"]: s["value"] for s in slots}
    assert values["feedback"] == "no" and values["feedback_answer_id"] == "treatment_goals"


def post_raw(url, body: bytes):
    req = urllib.request.Request(f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


@pytest.mark.parametrize("body, status", [
    (b"[]", 400), (b'"just a string"', 400), (b"{not json", 400), (b"{}", 400),
    (b'{"message": "hi"}', 400), (b'{"sender": "", "message": "hi"}', 400),
    (b'{"sender": ["a"], "message": "hi"}', 400), (b'{"sender": "a", "message": ["x"]}', 400),
    (b'{"sender": "a", "message": 12}', 400), (b'{"sender": "a", "message": "hi", "metadata": "x"}', 400),
    (json.dumps({"sender": "a", "message": "x" * 100_000}).encode(), 413),
])
def test_malformed_rest_requests_get_a_clear_4xx(stack, body, status):
    got, payload = post_raw(stack["url"], body)
    assert got == status and payload["error"]


def test_requests_without_a_sender_never_share_a_conversation(stack):
    engine = sa.create_engine(stack["tracker_url"], future=True)
    post_raw(stack["url"], b'{"message": "my name is Pat and my email is pat@example.org"}')
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = 'default'")).scalar_one()
    assert rows == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.one_of(
    st.text(min_size=0, max_size=300),                                   # any unicode: control chars, emoji, RTL
    st.text(alphabet=st.sampled_from("\u0000\u0007\u200f\u202e\ufeff\U0001F600abc /{}[]\"\\"), max_size=200),
    st.sampled_from(["/restart", "/session_start", "/choose_answer{\"answer_id\": 5}", "/feedback{bad json",
                     "/emergency", "\u202eesrever", "مرحبا، ما هو المرض المستقر؟", "🙂" * 500]),
))
def test_fuzzed_messages_never_get_a_5xx(stack, message):
    """60 generated messages a run (hypothesis; --hypothesis-show-statistics prints the count)."""
    status, payload = post_raw(stack["url"], json.dumps({"sender": f"fuzz-{uuid.uuid4().hex}",
                                                         "message": message}).encode())
    assert status < 500, (status, payload)
    if status == 200 and message.strip():
        assert any((m.get("text") or "").strip() for m in payload), (message, payload)
