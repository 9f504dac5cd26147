"""Messaging channels end to end: webhooks shaped and signed as the platforms send them, the real Rasa
and action servers, and the platforms' outgoing APIs replaced by a local stand-in that records what
the assistant sent."""
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import sqlalchemy as sa
from slack_sdk.signature import SignatureVerifier
from twilio.request_validator import RequestValidator

from content.load import sync
from content.store import create_schema, get_engine
from scripts.stack import running_stack
from tests import platform_standin

RASA_PORT, ACTION_PORT = 15605, 15655
PUBLIC = "https://bot.example.org"
TELEGRAM = {"token": "123456:test-token-not-real", "bot": "mbc_test_bot", "secret": "test-secret-token"}
SLACK = {"token": "xoxb-test", "secret": "test-signing-secret"}
MESSENGER = {"verify": "test-verify-token", "secret": "test-app-secret", "page": "test-page-token"}
TWILIO = {"sid": "ACtest", "auth": "test-auth-token", "sms": "+15550001111", "whatsapp": "whatsapp:+15550002222"}


@pytest.fixture(scope="module")
def platform():
    server, recorder = platform_standin.start(TELEGRAM["bot"])
    yield recorder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, content, platform):
    tmp = tmp_path_factory.mktemp("channels")
    content_url = f"sqlite:///{tmp / 'content.db'}"
    create_schema(get_engine(content_url))
    sync(content, get_engine(content_url))
    _, api = platform
    env = {
        "MBC_CONTENT_DB_URL": content_url,
        "MBC_TELEGRAM_TOKEN": TELEGRAM["token"], "MBC_TELEGRAM_BOT_NAME": TELEGRAM["bot"],
        "MBC_TELEGRAM_WEBHOOK_URL": f"{PUBLIC}/webhooks/telegram/webhook",
        "MBC_TELEGRAM_SECRET_TOKEN": TELEGRAM["secret"], "MBC_TELEGRAM_API_URL": api,
        "MBC_TWILIO_ACCOUNT_SID": TWILIO["sid"], "MBC_TWILIO_AUTH_TOKEN": TWILIO["auth"],
        "MBC_TWILIO_SMS_NUMBER": TWILIO["sms"], "MBC_TWILIO_SMS_WEBHOOK_URL": f"{PUBLIC}/webhooks/twilio/webhook",
        "MBC_TWILIO_WHATSAPP_NUMBER": TWILIO["whatsapp"],
        "MBC_TWILIO_WHATSAPP_WEBHOOK_URL": f"{PUBLIC}/webhooks/twilio_whatsapp/webhook",
        "MBC_TWILIO_API_URL": api,
        "MBC_SLACK_BOT_TOKEN": SLACK["token"], "MBC_SLACK_SIGNING_SECRET": SLACK["secret"],
        "MBC_SLACK_API_URL": api + "/api/",
        "MBC_MESSENGER_VERIFY_TOKEN": MESSENGER["verify"], "MBC_MESSENGER_APP_SECRET": MESSENGER["secret"],
        "MBC_MESSENGER_PAGE_TOKEN": MESSENGER["page"], "MBC_MESSENGER_API_URL": api + "/v16.0",
    }
    with running_stack(tmp, rasa_port=RASA_PORT, action_port=ACTION_PORT, **env) as (url, _):
        yield {"url": url, "tracker_url": f"sqlite:///{tmp / 'tracker.db'}"}


def post(url, body: bytes, headers: dict):
    req = urllib.request.Request(url, body, headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def user_events(stack, sender):
    engine = sa.create_engine(stack["tracker_url"], future=True)
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"),
                            {"s": str(sender)}).all()


def answer_and_link(texts, content, answer_id):
    answer = content.answers[answer_id]
    url = content.articles[answer.article_id].meta["canonical_url"]
    assert answer.text in texts, texts
    return url


# Telegram ---------------------------------------------------------------------------------------

def telegram_update(chat_id, text):
    return json.dumps({"update_id": chat_id, "message": {
        "message_id": 1, "date": 1700000000, "text": text,
        "chat": {"id": chat_id, "type": "private", "first_name": "Pat"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Pat"}}}).encode()


def telegram_post(stack, body, secret=TELEGRAM["secret"]):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return post(f"{stack['url']}/webhooks/telegram/webhook", body, headers)


def test_telegram_question_answered_with_link_and_buttons(stack, platform, content):
    recorder, _ = platform
    chat = 100000 + uuid.uuid4().int % 100000
    before = len(recorder.requests)
    status, _ = telegram_post(stack, telegram_update(chat, "what is stable disease"))
    assert status == 200
    sent = recorder.wait_for("telegram", 4, before)
    texts = [s["fields"]["text"] for s in sent]
    url = answer_and_link(texts, content, "what_is_stable_disease")
    assert all("parse_mode" not in s["fields"] for s in sent), "plain text: a markdown link would show raw"
    markups = [json.loads(s["fields"]["reply_markup"]) for s in sent if s["fields"].get("reply_markup")]
    buttons = [b for m in markups for row in m["inline_keyboard"] for b in row]
    assert any(b.get("url", "").startswith(url + "#:~:text=") for b in buttons)
    assert {b.get("callback_data") for b in buttons} >= {'/feedback{"helpful":"yes"}', '/feedback{"helpful":"no"}'}


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_telegram_forged_request_is_refused(stack, platform, secret):
    recorder, _ = platform
    chat = 200000 + uuid.uuid4().int % 100000
    before = len(recorder.requests)
    status, _ = telegram_post(stack, telegram_update(chat, "what is NED"), secret=secret)
    assert status == 403
    assert recorder.wait_for("telegram", 1, before, timeout=2) == []
    assert user_events(stack, chat) == []


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"message": {}}'])
def test_telegram_malformed_body_is_a_400(stack, body):
    status, _ = telegram_post(stack, body)
    assert status == 400


# Twilio SMS and WhatsApp -------------------------------------------------------------------------

def twilio_post(stack, channel, params, sign_with=TWILIO["auth"]):
    public_url = f"{PUBLIC}/webhooks/{channel}/webhook"
    signature = RequestValidator(sign_with).compute_signature(public_url, params)
    body = urllib.parse.urlencode(params).encode()
    return post(f"{stack['url']}/webhooks/{channel}/webhook", body,
                {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})


def twilio_params(sender, text, to):
    return {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO["sid"], "From": sender, "To": to,
            "Body": text, "NumMedia": "0"}


@pytest.mark.parametrize("channel, sender, number", [
    ("twilio", "+1555{:07d}", TWILIO["sms"]),
    ("twilio_whatsapp", "whatsapp:+1555{:07d}", TWILIO["whatsapp"]),
])
def test_twilio_question_answered_with_bare_link_and_numbered_feedback(stack, platform, content, channel, sender, number):
    recorder, _ = platform
    sender = sender.format(uuid.uuid4().int % 10**7)
    before = len(recorder.requests)
    status, _ = twilio_post(stack, channel, twilio_params(sender, "is metastatic breast cancer curable", number))
    assert status == 204
    sent = recorder.wait_for("twilio", 4, before)
    bodies = [s["fields"]["Body"] for s in sent]
    assert all(s["fields"]["To"] == sender and s["fields"]["From"] == number for s in sent)
    url = answer_and_link(bodies, content, "is_mbc_curable")
    assert any(url + "#:~:text=" in b for b in bodies), "SMS has no buttons: the link is a bare URL"
    assert "Was this helpful?\n1. Yes\n2. No\nReply with a number." in bodies
    # "2" answers the numbered question: feedback "no" is stored with the conversation.
    before = len(recorder.requests)
    assert twilio_post(stack, channel, twilio_params(sender, "2", number))[0] == 204
    reply = recorder.wait_for("twilio", 1, before)
    assert reply and reply[0]["fields"]["Body"].startswith("Thank you for telling me")
    engine = sa.create_engine(stack["tracker_url"], future=True)
    with engine.connect() as conn:
        slots = [json.loads(d) for (d,) in conn.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'slot'"), {"s": sender})]
    assert {"feedback": "no"}.items() <= {s["name"]: s["value"] for s in slots}.items()


@pytest.mark.parametrize("channel", ["twilio", "twilio_whatsapp"])
def test_twilio_forged_signature_is_refused(stack, platform, channel):
    recorder, _ = platform
    sender = "+1555{:07d}".format(uuid.uuid4().int % 10**7)
    before = len(recorder.requests)
    status, _ = twilio_post(stack, channel, twilio_params(sender, "what is NED", TWILIO["sms"]), sign_with="not-the-token")
    assert status == 403
    assert recorder.wait_for("twilio", 1, before, timeout=2) == []
    assert user_events(stack, sender) == []


def test_twilio_malformed_body_is_a_4xx(stack):
    params = {"AccountSid": TWILIO["sid"]}  # signed, but no From or Body
    status, _ = twilio_post(stack, "twilio", params)
    assert status == 400


# Slack --------------------------------------------------------------------------------------------

def slack_event(user, text):
    return json.dumps({"token": "unused", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                       "event_id": "Ev" + uuid.uuid4().hex, "event_time": int(time.time()),
                       "event": {"type": "message", "channel": "D" + user[1:], "user": user, "text": text,
                                 "ts": f"{time.time():.6f}", "channel_type": "im"}}).encode()


def slack_headers(body, timestamp=None, secret=SLACK["secret"]):
    timestamp = str(int(timestamp or time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def slack_post(stack, body, headers):
    return post(f"{stack['url']}/webhooks/slack/webhook", body, headers)


def test_slack_question_answered_with_slack_link_syntax_and_buttons(stack, platform, content):
    recorder, _ = platform
    user = "U" + uuid.uuid4().hex[:8].upper()
    before = len(recorder.requests)
    body = slack_event(user, "what does NED mean")
    status, _ = slack_post(stack, body, slack_headers(body))
    assert status == 200
    sent = recorder.wait_for("slack", 4, before)
    texts = [s["fields"]["text"] for s in sent]
    answer = content.answers["what_is_ned"]
    url = content.articles[answer.article_id].meta["canonical_url"]
    assert answer.text in texts
    assert any(f"<{url}#:~:text=" in t and "|Read the full article>" in t for t in texts)
    elements = [e for s in sent for b in s["fields"].get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]
    assert any(e.get("url", "").startswith(url + "#:~:text=") for e in elements)
    assert {e.get("value") for e in elements} >= {'/feedback{"helpful":"yes"}', '/feedback{"helpful":"no"}'}


@pytest.mark.parametrize("case", ["wrong secret", "no signature", "old timestamp", "replayed"])
def test_slack_forged_or_replayed_request_is_refused(stack, platform, case):
    recorder, _ = platform
    user = "U" + uuid.uuid4().hex[:8].upper()
    body = slack_event(user, "what is stable disease")
    headers = slack_headers(body)
    if case == "wrong secret":
        headers = slack_headers(body, secret="not-the-secret")
    elif case == "no signature":
        headers.pop("X-Slack-Signature")
    elif case == "old timestamp":
        headers = slack_headers(body, timestamp=time.time() - 600)
    elif case == "replayed":
        assert slack_post(stack, body, headers)[0] == 200
        recorder.wait_for("slack", 4, len(recorder.requests))
    before = len(recorder.requests)
    status, _ = slack_post(stack, body, headers)
    assert status == 401
    assert recorder.wait_for("slack", 1, before, timeout=2) == []
    if case != "replayed":
        assert user_events(stack, user) == []


def test_slack_malformed_body_is_a_400(stack):
    body = b"{not json"
    assert slack_post(stack, body, slack_headers(body))[0] == 400


# Facebook Messenger -----------------------------------------------------------------------------

def messenger_event(psid, text):
    return json.dumps({"object": "page", "entry": [{"id": "PAGE1", "time": int(time.time() * 1000), "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": "PAGE1"}, "timestamp": int(time.time() * 1000),
        "message": {"mid": "m_" + uuid.uuid4().hex, "text": text}}]}]}).encode()


def messenger_post(stack, body, secret=MESSENGER["secret"]):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return post(f"{stack['url']}/webhooks/facebook/webhook", body, headers)


def test_messenger_question_answered_with_url_button_and_at_most_three_buttons(stack, platform, content):
    recorder, _ = platform
    psid = str(10**15 + uuid.uuid4().int % 10**15)
    before = len(recorder.requests)
    status, _ = messenger_post(stack, messenger_event(psid, "what are the goals of treatment"))
    assert status == 200
    sent = recorder.wait_for("messenger", 4, before)
    messages = [s["fields"]["message"] for s in sent]
    answer = content.answers["treatment_goals"]
    url = content.articles[answer.article_id].meta["canonical_url"]
    assert answer.text in [m.get("text") for m in messages]
    templates = [m["attachment"]["payload"] for m in messages if "attachment" in m]
    assert all(len(t["buttons"]) <= 3 and all(len(b["title"]) <= 20 for b in t["buttons"]) for t in templates)
    buttons = [b for t in templates for b in t["buttons"]]
    assert any(b["type"] == "web_url" and b["url"].startswith(url + "#:~:text=") for b in buttons)
    assert {b.get("payload") for b in buttons} >= {'/feedback{"helpful":"yes"}', '/feedback{"helpful":"no"}'}


def test_messenger_many_choices_become_a_numbered_list(stack, platform, content):
    recorder, _ = platform
    psid = str(10**15 + uuid.uuid4().int % 10**15)
    before = len(recorder.requests)
    assert messenger_post(stack, messenger_event(psid, "what can you do"))[0] == 200
    sent = recorder.wait_for("messenger", 2, before)
    texts = [s["fields"]["message"].get("text") or "" for s in sent]
    assert any("1. " in t and "Reply with a number." in t for t in texts)


@pytest.mark.parametrize("secret", [None, "not-the-secret"])
def test_messenger_forged_request_is_refused(stack, platform, secret):
    recorder, _ = platform
    psid = str(10**15 + uuid.uuid4().int % 10**15)
    before = len(recorder.requests)
    assert messenger_post(stack, messenger_event(psid, "what is NED"), secret=secret)[0] == 403
    assert recorder.wait_for("messenger", 1, before, timeout=2) == []
    assert user_events(stack, psid) == []


@pytest.mark.parametrize("body", [b"{not json", b'{"object": "user"}', b"[]"])
def test_messenger_malformed_body_is_a_400(stack, body):
    assert messenger_post(stack, body)[0] == 400
