"""The staff review app over real HTTP, on a tracker store filled by real conversations with the real
assistant (Rasa + action server), in SQLite and in PostgreSQL."""
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa
import yaml

from content.load import sync as load_store
from content.store import create_schema, get_engine
from review.app import create_app
from review.schema import audit_log, conversations, events, messages, sessions
from review.settings import Settings
from scripts.pg import temporary_database
from scripts.stack import ROOT, ask, running_stack, wait_for
from scripts.staff_client import StaffClient, login_cookie
from tests.conftest import POSTGRES_ADMIN_URL

PORTS = {"sqlite": (19205, 19255, 19290), "postgresql": (19305, 19355, 19390)}
PASSWORD = "review-test-" + uuid.uuid4().hex[:10]
PII = {"name": "Jane Doe", "email": "jane.doe@example.com", "phone": "555-123-4567"}
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
# What each scripted conversation says; the tests check what the app makes of them.
SCRIPTS = {
    "answered_unhelpful": ["what is stable disease", '/feedback{"helpful":"no"}'],
    "pii": [f"Hi, my name is {PII['name']}, email {PII['email']}, phone {PII['phone']}. "
            "Can stage I become metastatic?"],
    "xss": [f"{XSS} is mbc curable?"],
    "emergency": ["I can't breathe and my chest hurts so much"],
    "uncovered": ["which hospital in boston has the best clinical trials", "are there clinical trials in boston hospitals"],
    "weather": ["what's the weather like tomorrow"],
    # Personal details in a question the article does not cover: it reaches the not-covered groups.
    "pii_uncovered": [f"I am {PII['name']}, what are the side effects of ibrance, ring me on {PII['phone']}"],
}
# Words of the scripted messages that no server log may hold at the default log level.
LOG_PROBES = [*PII.values(), "weather like tomorrow", "hospital in boston", "side effects of ibrance",
              "onerror=alert"]


def tracker_events(url, sender):
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(events.c.type_name, events.c.data).where(events.c.sender_id == sender)
                            .order_by(events.c.id)).all()
    engine.dispose()
    return rows


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def review_app(request, tmp_path_factory, content):
    """Real conversations through the assistant, then the review app on the same tracker store."""
    kind = request.param
    tmp = tmp_path_factory.mktemp(f"review-{kind}")
    rasa_port, action_port, review_port = PORTS[kind]
    if kind == "sqlite":
        tracker_url, review_url = f"sqlite:///{tmp / 'tracker.db'}", f"sqlite:///{tmp / 'review.db'}"
    else:  # Rasa's events and the review tables in one PostgreSQL database, as in production
        tracker_url = review_url = request.getfixturevalue("module_postgres_url")
    content_url = f"sqlite:///{tmp / 'content.db'}"
    create_schema(get_engine(content_url))
    load_store(content, get_engine(content_url))
    run = uuid.uuid4().hex[:8]
    senders = {key: f"{key}-{run}" for key in SCRIPTS}
    with running_stack(tmp, rasa_port=rasa_port, action_port=action_port, MBC_CONTENT_DB_URL=content_url,
                       MBC_TRACKER_DB_URL=tracker_url) as (rasa_url, _):
        replies = {key: [ask(rasa_url, text, senders[key]) for text in texts] for key, texts in SCRIPTS.items()}
    env = dict(os.environ, MBC_TRACKER_DB_URL=tracker_url, MBC_REVIEW_DB_URL=review_url,
               MBC_CONTENT_DB_URL=content_url, MBC_REVIEW_PORT=str(review_port), MBC_STATE_DIR=str(tmp),
               MBC_REVIEW_PASSWORD=PASSWORD)
    for user, role in (("rita", "reviewer"), ("ada", "admin")):
        subprocess.run([sys.executable, "-m", "review", "create-user", user, "--role", role], cwd=ROOT, env=env,
                       check=True, capture_output=True)
    app = subprocess.Popen([sys.executable, "-m", "review", "serve"], cwd=ROOT, env=env,
                           stdout=open(tmp / "review.log", "w"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{review_port}"
        wait_for(base + "/login", 60, app)
        yield {"url": base, "senders": senders, "replies": replies, "tracker_url": tracker_url,
               "review_url": review_url, "env": env, "kind": kind, "logs": tmp}
    finally:
        app.terminate()
        app.wait(20)


@pytest.fixture(scope="module")
def module_postgres_url():
    with temporary_database("mbc_review", POSTGRES_ADMIN_URL) as url:
        yield url


@pytest.fixture
def reviewer(review_app):
    client = StaffClient(review_app["url"])
    assert client.login("rita", PASSWORD).status == 303
    return client


@pytest.fixture
def admin(review_app):
    client = StaffClient(review_app["url"])
    assert client.login("ada", PASSWORD).status == 303
    return client


def listed(client, query=""):
    page = client.get("/conversations" + query)
    assert page.status == 200, page.text
    return page.text


def test_the_assistant_really_answered_the_scripted_conversations(review_app, content):
    answer_texts = {a.text for a in content.answers.values()}
    served = lambda key: [m.get("text") for r in review_app["replies"][key] for m in r]  # noqa: E731
    assert answer_texts & set(served("answered_unhelpful"))
    assert not answer_texts & set(served("uncovered"))


def registered_routes():
    app = create_app(Settings(tracker_db_url="sqlite://", review_db_url="sqlite://"), name=f"routes_{uuid.uuid4().hex}")
    found = set()
    for route in app.router.routes:
        for method in route.methods:
            if method in ("GET", "POST"):
                found.add((method, "/" + route.path.lstrip("/")))
    return found


def test_every_route_refuses_anonymous_requests(review_app):
    routes = registered_routes()
    assert len(routes) >= 15
    client = StaffClient(review_app["url"])
    for method, path in sorted(routes):
        if path in ("/login", "/static/review.css", "/favicon.ico"):
            continue
        response = client.request(method, path.replace("<fmt>", "csv"), form={} if method == "POST" else None)
        assert response.status in (303, 401), (method, path, response.status)
        if response.status == 303:
            assert response.headers["Location"] == "/login"
        for sender in review_app["senders"].values():
            assert sender not in response.text
    assert client.get("/login").status == 200


def test_sign_in_sets_a_safe_cookie_and_wrong_passwords_are_refused(review_app):
    client = StaffClient(review_app["url"])
    assert client.login("rita", "not the password").status == 401
    assert client.login("nobody", PASSWORD).status == 401
    response = client.login("rita", PASSWORD)
    assert response.status == 303
    value, attributes = login_cookie(response)
    assert len(value) >= 40
    assert attributes["httponly"] and attributes["secure"] and attributes["samesite"] == "Strict"
    engine = sa.create_engine(review_app["review_url"], future=True)
    with engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(sa.select(sessions.c.token_hash))]
    engine.dispose()
    assert value not in stored  # only a hash of the cookie is kept
    assert client.post("/logout", {}).status == 303
    assert client.get("/conversations").status == 303


def test_password_guessing_locks_the_account_for_a_while(review_app):
    guesser = StaffClient(review_app["url"])
    statuses = [guesser.login("ada", f"guess-{i}").status for i in range(6)]
    assert statuses == [401] * 5 + [429]
    assert StaffClient(review_app["url"]).login("ada", PASSWORD).status == 429  # even the right password
    engine = sa.create_engine(review_app["review_url"], future=True)
    with engine.begin() as conn:  # 15 minutes later
        conn.execute(audit_log.update().where(audit_log.c.username == "ada", audit_log.c.action == "login_failed")
                     .values(at=dt.datetime.utcnow() - dt.timedelta(minutes=16)))
    engine.dispose()
    assert StaffClient(review_app["url"]).login("ada", PASSWORD).status == 303


def test_a_session_ends_after_30_idle_minutes(review_app):
    client = StaffClient(review_app["url"])
    value, _ = login_cookie(client.login("rita", PASSWORD))
    assert client.get("/conversations").status == 200
    engine = sa.create_engine(review_app["review_url"], future=True)
    with engine.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.token_hash == hashlib.sha256(value.encode()).hexdigest())
                     .values(last_seen=dt.datetime.utcnow() - dt.timedelta(minutes=31)))
    assert client.get("/conversations").status == 303
    with engine.connect() as conn:  # and the expired session is gone, not resumable
        left = conn.execute(sa.select(sa.func.count()).select_from(sessions).where(
            sessions.c.token_hash == hashlib.sha256(value.encode()).hexdigest())).scalar()
    engine.dispose()
    assert left == 0


def test_forms_without_the_csrf_token_or_from_another_site_are_refused(review_app, reviewer):
    sender = review_app["senders"]["weather"]
    assert reviewer.post("/conversation/tag", {"id": sender, "tag": "csrf"}, with_csrf=False).status == 403
    assert reviewer.post("/conversation/tag", {"id": sender, "tag": "csrf", "csrf": "forged"}).status == 403
    assert reviewer.post("/conversation/tag", {"id": sender, "tag": "csrf"},
                         headers={"Origin": "https://evil.example"}).status == 403
    assert "csrf" not in reviewer.get("/conversation?id=" + sender).text.split("id=\"tags\"")[1].split("</dd>")[0]
    login = StaffClient(review_app["url"])
    login.get("/login")
    assert login.post("/login", {"username": "rita", "password": PASSWORD, "csrf": "forged"}).status == 403


def test_outcome_filters_find_the_conversations_they_name(review_app, reviewer):
    s = review_app["senders"]
    emergencies = listed(reviewer, "?outcome=emergency")
    assert s["emergency"] in emergencies and s["weather"] not in emergencies
    short = listed(reviewer, "?outcome=fell_short&from=" + (dt.date.today() - dt.timedelta(days=7)).isoformat())
    assert s["uncovered"] in short and s["answered_unhelpful"] in short  # not covered; "not helpful"
    assert s["emergency"] not in short
    assert s["answered_unhelpful"] in listed(reviewer, "?feedback=negative")
    assert s["pii"] not in listed(reviewer, "?feedback=negative")
    assert s["weather"] in listed(reviewer, "?outcome=out_of_scope")
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert 'id="total">0<' in listed(reviewer, f"?from={future}")
    assert s["answered_unhelpful"] in listed(reviewer, "?q=stable+disease")
    assert s["weather"] not in listed(reviewer, "?q=stable+disease")
    assert "not a date" in listed(reviewer, "?from=yesterday")  # bad input: a message, not a 500


def test_lowest_confidence_sort_orders_by_the_stored_confidence(review_app, reviewer):
    page = listed(reviewer, "?sort=lowest_confidence")
    engine = sa.create_engine(review_app["review_url"], future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(conversations.c.sender_id, conversations.c.min_confidence,
                                      conversations.c.last_at)
                            .where(conversations.c.sender_id.in_(review_app["senders"].values()))).all()
    engine.dispose()
    # Lowest first, conversations without a confidence last, ties newest first.
    ordered = [r[0] for r in sorted(rows, key=lambda r: (r[1] is None, r[1] or 0, -r[2].timestamp()))]
    positions = [page.index(sender) for sender in ordered]
    assert positions == sorted(positions)


def test_transcript_shows_decisions_and_replies_with_personal_data_redacted(review_app, reviewer, content):
    page = reviewer.get("/conversation?id=" + review_app["senders"]["pii"])
    assert page.status == 200
    for value in PII.values():
        assert value not in page.text
    assert "[EMAIL]" in page.text and "[PHONE]" in page.text and "[NAME]" in page.text
    answer = content.answers["early_stage_can_become_metastatic"]
    assert answer.title in page.text and "runners-up" in page.text
    assert "link sent:" in page.text and "#:~:text=" in page.text


def test_emergency_turns_are_highlighted(review_app, reviewer):
    page = reviewer.get("/conversation?id=" + review_app["senders"]["emergency"]).text
    assert 'class="turn emergency"' in page and 'badge urgent' in page


def test_an_xss_message_renders_as_text(review_app, reviewer):
    sender = review_app["senders"]["xss"]
    for path in ("/conversation?id=" + sender, "/conversations", "/uncovered", "/dashboard"):
        page = reviewer.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in reviewer.get("/conversation?id=" + sender).text
    assert "script-src" not in reviewer.get("/conversations").headers["Content-Security-Policy"]  # no scripts at all


def test_tags_notes_review_status_and_corrections(review_app, reviewer):
    sender = review_app["senders"]["emergency"]  # "uncovered" is left for the browser test
    assert reviewer.post("/conversation/tag", {"id": sender, "tag": "Content gap"}).status == 303
    assert sender in listed(reviewer, "?tag=content+gap")
    assert review_app["senders"]["weather"] not in listed(reviewer, "?tag=content+gap")
    assert reviewer.post("/conversation/tag", {"id": sender, "tag": "<b>bad</b>"}).status == 400
    assert reviewer.post("/conversation/note", {"id": sender, "note": "Ask editors about trials <b>"}).status == 303
    assert "Ask editors about trials &lt;b&gt;" in reviewer.get("/conversation?id=" + sender).text
    assert reviewer.post("/conversation/status", {"id": sender, "status": "reviewed"}).status == 303
    assert sender in listed(reviewer, "?status=reviewed") and sender not in listed(reviewer, "?status=new")
    assert reviewer.post("/conversation/status", {"id": "no-such", "status": "reviewed"}).status == 404

    unhelpful = review_app["senders"]["answered_unhelpful"]
    engine = sa.create_engine(review_app["review_url"], future=True)
    with engine.connect() as conn:
        first = conn.execute(sa.select(messages.c.event_id).where(messages.c.sender_id == unhelpful)
                             .order_by(messages.c.event_id)).scalar()
    engine.dispose()
    assert reviewer.post("/message/wrong", {"id": unhelpful, "event_id": first, "right_answer": "no_such_answer"}).status == 400
    assert reviewer.post("/message/wrong", {"id": unhelpful, "event_id": first, "right_answer": "is_mbc_curable"}).status == 303
    assert unhelpful in listed(reviewer, "?feedback=wrong")
    assert "marked wrong by rita" in reviewer.get("/conversation?id=" + unhelpful).text


def test_training_examples_export_as_rasa_nlu_yaml(review_app, reviewer, content):
    sender = review_app["senders"]["uncovered"]
    engine = sa.create_engine(review_app["review_url"], future=True)
    with engine.connect() as conn:
        event_id = conn.execute(sa.select(messages.c.event_id).where(messages.c.sender_id == sender)).scalar()
    engine.dispose()
    assert reviewer.post("/message/example", {"id": sender, "event_id": event_id, "target": "out_of_scope"}).status == 303
    pii = review_app["senders"]["pii"]
    with sa.create_engine(review_app["review_url"], future=True).connect() as conn:
        pii_event = conn.execute(sa.select(messages.c.event_id).where(messages.c.sender_id == pii)).scalar()
    assert reviewer.post("/message/example", {"id": pii, "event_id": pii_event,
                                              "target": "early_stage_can_become_metastatic"}).status == 303
    exported = reviewer.get("/examples.yml")
    assert exported.status == 200
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
    data = RasaYAMLReader().reads(exported.text)
    intents = {m.get("intent") for m in data.training_examples}
    assert {"out_of_scope", "faq"} <= intents
    assert any(m.get("intent_response_key") == "faq/early_stage_can_become_metastatic" for m in data.training_examples)
    assert "which hospital in boston has the best clinical trials" in exported.text
    for value in PII.values():
        assert value not in exported.text
    assert yaml.safe_load(exported.text)["version"] == "3.1"


def test_not_covered_questions_are_grouped(review_app, reviewer):
    page = reviewer.get("/uncovered").text
    assert "clinical trials" in page and "2 times" in page  # both Boston questions, one group


def test_dashboard_counts_match_the_conversations(review_app, reviewer):
    page = reviewer.get("/dashboard")
    assert page.status == 200 and "<svg" in page.text
    engine = sa.create_engine(review_app["review_url"], future=True)
    with engine.connect() as conn:
        no = conn.execute(sa.select(sa.func.count()).select_from(messages).where(messages.c.feedback == "no")).scalar()
    engine.dispose()
    assert no >= 1 and f'id="not-helpful">{no}<' in page.text


def test_exports_are_redacted_audited_and_safe_for_spreadsheets(review_app, admin):
    csv_export = admin.get("/conversations/export.csv")
    json_export = admin.get("/conversations/export.json")
    assert csv_export.status == json_export.status == 200
    for value in PII.values():
        assert value not in csv_export.text and value not in json_export.text
    rows = list(csv.DictReader(io.StringIO(csv_export.text)))
    assert {r["conversation"] for r in rows} >= set(review_app["senders"].values())
    assert all(not r["message"].startswith(("=", "+", "-", "@")) for r in rows)
    exported = json.loads(json_export.text)
    pii = next(c for c in exported if c["conversation"] == review_app["senders"]["pii"])
    assert "[EMAIL]" in pii["messages"][0]["text"]
    engine = sa.create_engine(review_app["review_url"], future=True)
    with engine.connect() as conn:
        logged = {r.sender_id for r in conn.execute(sa.select(audit_log.c.sender_id)
                                                    .where(audit_log.c.action == "export_json", audit_log.c.username == "ada"))}
    engine.dispose()
    assert logged >= set(review_app["senders"].values())
    assert review_app["senders"]["pii"] in admin.get("/audit").text


def test_every_page_and_export_shows_the_same_redaction_and_no_log_holds_message_text(review_app, admin):
    """What staff can see anywhere (pages, exports, training examples, not-covered groups) is the one
    redaction of each message; the servers' logs hold no message text at the default log level."""
    from html import escape

    from privacy.redact import redact
    senders = review_app["senders"]
    uncovered = SCRIPTS["pii_uncovered"][0]
    with sa.create_engine(review_app["review_url"], future=True).connect() as conn:
        row = conn.execute(sa.select(messages.c.event_id, messages.c.outcome)
                           .where(messages.c.sender_id == senders["pii_uncovered"])).first()
    assert row.outcome == "not_covered", "the scripted not-covered question must reach the not-covered groups"
    # A staff member rewrites the example and types a name: it is redacted the same way too.
    typed = f"what are the side effects of ibrance, asks {PII['name']}"
    assert admin.post("/message/example", {"id": senders["pii_uncovered"], "event_id": row.event_id,
                                           "target": "out_of_scope", "text": typed}).status == 303

    seen = {path: admin.get(path) for path in (
        "/conversations?from=2000-01-01", "/conversation?id=" + senders["pii"],
        "/conversation?id=" + senders["pii_uncovered"], "/uncovered", "/dashboard", "/examples", "/examples.yml",
        "/audit", "/conversations/export.csv", "/conversations/export.json")}
    for path, page in seen.items():
        assert page.status == 200, path
        for value in PII.values():
            assert value not in page.text and escape(value) not in page.text, (path, value)
    for script in ("pii", "pii_uncovered"):
        expected = redact(SCRIPTS[script][0])
        assert expected != SCRIPTS[script][0] and "[NAME]" in expected
        assert escape(expected) in seen["/conversation?id=" + senders[script]].text
        exported = json.loads(seen["/conversations/export.json"].text)
        assert [m["text"] for c in exported if c["conversation"] == senders[script] for m in c["messages"]] == [expected]
        assert expected in [r["message"] for r in csv.DictReader(io.StringIO(seen["/conversations/export.csv"].text))]
    assert escape(redact(uncovered)) in seen["/uncovered"].text
    assert redact(typed) in seen["/examples.yml"].text
    assert escape(redact(typed)) in seen["/examples"].text

    logs = {name: (review_app["logs"] / name).read_text(errors="replace")
            for name in ("rasa.log", "actions.log", "review.log")}
    assert all(logs.values()), "each server wrote a log"
    for name, text in logs.items():
        for probe in LOG_PROBES:
            assert probe.lower() not in text.lower(), f"{name} holds message text: {probe!r}"


def test_viewing_is_audited_and_only_admins_read_the_audit_log(review_app, reviewer, admin):
    sender = review_app["senders"]["weather"]
    reviewer.get("/conversation?id=" + sender)
    assert reviewer.get("/audit").status == 403
    log = admin.get("/audit?id=" + sender).text
    assert "rita" in log and "view" in log


def test_retention_deletes_old_conversations_and_nothing_else(review_app, reviewer):
    """An old conversation (a real one's events, dated 400 days back) goes; every recent one stays."""
    url = review_app["tracker_url"]
    source = review_app["senders"]["weather"]
    old = f"old-{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url, future=True)
    long_ago = (dt.datetime.utcnow() - dt.timedelta(days=400)).timestamp()
    with engine.begin() as conn:
        rows = conn.execute(sa.select(events).where(events.c.sender_id == source).order_by(events.c.id)).all()
        conn.execute(events.insert(), [{"sender_id": old, "type_name": r.type_name, "timestamp": long_ago + i,
                                        "intent_name": r.intent_name, "action_name": r.action_name, "data": r.data}
                                       for i, r in enumerate(rows)])
    assert old in listed(reviewer, "?from=2000-01-01")  # indexed like any other
    before = {s: len(tracker_events(url, s)) for s in review_app["senders"].values()}
    result = subprocess.run([sys.executable, "-m", "review", "retention", "--days", "365"], cwd=ROOT,
                            env=review_app["env"], capture_output=True, text=True, check=True)
    assert "Deleted 1 conversation" in result.stdout
    assert tracker_events(url, old) == []
    assert {s: len(tracker_events(url, s)) for s in review_app["senders"].values()} == before
    review = sa.create_engine(review_app["review_url"], future=True)
    with review.connect() as conn:
        for table in (conversations, messages):
            assert conn.execute(sa.select(sa.func.count()).select_from(table).where(table.c.sender_id == old)).scalar() == 0
        kept = {r[0] for r in conn.execute(sa.select(conversations.c.sender_id))}
    review.dispose()
    engine.dispose()
    assert kept >= set(review_app["senders"].values())
    assert old not in listed(reviewer, "?from=2000-01-01")


# --- In a real browser (Debian's Chromium): the reviewer's whole round ---------------------------------

@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    from tests.system.test_widget_browser import CHROMIUM, CHROMIUM_ARGS
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_reviewer_finds_reads_tags_and_exports_in_a_browser(review_app, chromium):
    from playwright.sync_api import expect

    from tests.system.test_widget_browser import ARTIFACTS
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # "localhost": a secure context for Chromium, so it keeps the app's Secure cookies over plain http.
    base = review_app["url"].replace("127.0.0.1", "localhost")
    try:
        page.goto(base + "/conversations")
        expect(page).to_have_url(base + "/login")
        page.get_by_label("Username").fill("rita")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Conversations")).to_be_visible()

        # The conversations that fell short in the last week.
        page.get_by_label("From").fill((dt.date.today() - dt.timedelta(days=7)).isoformat())
        page.get_by_label("Outcome").select_option("fell_short")
        page.get_by_role("button", name="Filter").click()
        expect(page).to_have_url(re.compile(r"outcome=fell_short"))
        row_link = page.get_by_role("link", name="which hospital in boston has the best clinical trials")
        expect(row_link).to_be_visible()
        expect(page.get_by_role("link", name="what's the weather like tomorrow")).to_have_count(0)
        row_link.click()

        # Read it, tag it, add its question as a training example.
        expect(page.get_by_text("which hospital in boston has the best clinical trials").first).to_be_visible()
        page.get_by_label("Tag", exact=True).fill("trials gap")
        page.get_by_role("button", name="Add tag").click()
        expect(page.locator("#tags")).to_contain_text("trials gap")
        improve = page.locator("li.turn").first.locator("details.improve")
        improve.locator("summary").click()
        improve.locator("select[name=target]").select_option("out_of_scope")
        improve.get_by_role("button", name="Add as training example").click()
        page.get_by_role("button", name="Mark reviewed").click()
        expect(page.locator("#status")).to_contain_text("reviewed by rita")
        page.screenshot(path=str(ARTIFACTS / f"review-transcript-{review_app['kind']}.png"), full_page=True)

        # Personal data is redacted, and a script in a message is only text.
        page.goto(base + "/conversation?id=" + review_app["senders"]["pii"])
        expect(page.locator(".turn .text").first).to_contain_text("[EMAIL]")
        assert PII["email"] not in page.content() and PII["name"] not in page.content()
        page.goto(base + "/conversation?id=" + review_app["senders"]["xss"])
        expect(page.locator(".turn .text").first).to_contain_text("<script>alert('x')</script>")

        # Export the training examples and the filtered conversations.
        page.get_by_role("link", name="Training examples").click()
        with page.expect_download() as download:
            page.get_by_role("link", name="Export as Rasa NLU YAML").click()
        exported = open(download.value.path(), encoding="utf-8").read()
        assert "- which hospital in boston has the best clinical trials" in exported
        page.goto(base + "/conversations?tag=trials+gap")
        with page.expect_download() as download:
            page.get_by_role("link", name="CSV").click()
        rows = list(csv.DictReader(open(download.value.path(), encoding="utf-8")))
        assert {r["conversation"] for r in rows} == {review_app["senders"]["uncovered"]}
        assert dialogs == []
    finally:
        context.close()


def test_messages_not_indexed_yet_are_redacted_in_the_transcript(tmp_path):
    """A transcript opened before the indexer reached its newest messages still shows them redacted,
    each with its own text, button presses included."""
    from review import transcript
    from review.schema import tracker_metadata
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    tracker_metadata.create_all(engine)
    said = ['/feedback{"helpful":"no"}', f"my email is {PII['email']}", "what is stable disease"]
    with engine.begin() as conn:
        conn.execute(events.insert(), [{"sender_id": "s", "type_name": "user", "timestamp": 1.0 + i,
                                        "data": json.dumps({"event": "user", "text": text})}
                                       for i, text in enumerate(said)])
    shown = [t["text"] for t in transcript.turns(engine, "s", indexed={}, corrections={})]
    engine.dispose()
    assert shown == [said[0], "my email is [EMAIL]", "what is stable disease"]
