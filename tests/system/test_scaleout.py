"""Scale-out on real processes: two Rasa servers and two action servers behind Debian's nginx,
conversations in a fresh PostgreSQL database, the conversation lock and rate counters in the real
Redis (the `scaleout` fixture, tests/conftest.py). Many conversations at once, each sending its turns
in turn to one Rasa server, the other and nginx: every message and every reply must be stored exactly
once and in order. Then what must stay closed, and the rate limits."""
import asyncio
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio
from slack_sdk.signature import SignatureVerifier

from channels.ratelimit import SLOW_DOWN, WINDOW_S
from runtime.processor import UNAVAILABLE
from scripts.stack import start_actions, stop, wait_for
from tests.conftest import SCALEOUT_LIMITS, SCALEOUT_SLACK_SECRET
from tests.conversation_log import expected, post, say, stored

TURNS = ["hello", "what is stable disease", "is MBC curable?", "what is NED", "can stage I become metastatic?",
         "thanks"]
STABLE_DISEASE = "This is called stable disease."


def targets(cluster):
    return cluster.rasa_urls + [cluster.public_url]


def converse(cluster, sender, offset):
    turns, where = [], targets(cluster)
    for i, text in enumerate(TURNS):
        turns.append((text, say(where[(i + offset) % len(where)], sender, text)))
    return turns


def test_conversations_spread_over_servers_are_stored_once_and_in_order(scaleout):
    senders = [f"scale-{i}-{uuid.uuid4().hex[:8]}" for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        conversations = list(pool.map(lambda i: converse(scaleout, senders[i], i), range(len(senders))))
    for sender, turns in zip(senders, conversations):
        assert stored(scaleout.db_url, sender) == expected(turns), sender
        replies = [r for _, texts in turns for r in texts]
        assert UNAVAILABLE not in replies
        assert any(STABLE_DISEASE in (r or "") for r in replies), "the answers came from the action servers"


def test_two_messages_at_once_in_one_conversation_take_turns(scaleout):
    """The same person writing twice at once, the messages landing on different Rasa servers: the Redis
    lock makes one wait, so each reply is stored right after its own message."""
    rasa1, rasa2 = scaleout.rasa_urls
    for _ in range(4):
        sender = f"twice-{uuid.uuid4().hex}"
        first = ("hello", say(scaleout.public_url, sender, "hello"))
        start, results = threading.Barrier(2), {}

        def send(url, text):
            start.wait()
            results[text] = say(url, sender, text)

        threads = [threading.Thread(target=send, args=args) for args in
                   ((rasa1, "what is stable disease"), (rasa2, "what is NED"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        got = stored(scaleout.db_url, sender)
        one_way = expected([first] + [(t, results[t]) for t in ("what is stable disease", "what is NED")])
        other_way = expected([first] + [(t, results[t]) for t in ("what is NED", "what is stable disease")])
        assert got in (one_way, other_way), got


def listening_addresses(ports):
    out = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        local = line.split()[3]
        host, port = local.rsplit(":", 1)
        if int(port) in ports:
            found.setdefault(int(port), set()).add(host)
    return found


def test_every_server_listens_on_loopback_only(scaleout):
    ports = set(scaleout.ports.values()) | {16080, 16081, 16082}
    found = listening_addresses(ports)
    assert set(found) == ports
    assert all(hosts == {"127.0.0.1"} for hosts in found.values()), found


def request(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data, {"Content-Type": "application/json", **(headers or {})}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


ACTION_CALL = b'{"next_action": "action_answer_faq", "tracker": {"sender_id": "x", "events": []}, "domain": {}}'


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-the-secret"}, {"Authorization": ""}])
def test_action_servers_refuse_calls_without_the_secret(scaleout, headers):
    action_urls = [f"http://127.0.0.1:{p}" for n, p in scaleout.ports.items() if n.startswith("actions")]
    for base in action_urls + ["http://127.0.0.1:16081"]:  # each server, and through nginx's internal port
        assert request(f"{base}/webhook", ACTION_CALL, headers) == 401
        assert request(f"{base}/actions", headers=headers) == 401
        assert request(f"{base}/health") == 200
    # The Rasa servers, which have the secret, still get answers.
    for url in targets(scaleout):
        assert any(STABLE_DISEASE in (t or "") for t in say(url, f"secret-{uuid.uuid4().hex}", "what is stable disease"))


def this_hosts_outward_address() -> str:
    """An address of this machine other than loopback (a call to it from here has that peer address)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outward interface
        return probe.getsockname()[0]
    finally:
        probe.close()


def test_an_action_server_without_a_secret_answers_only_direct_calls_from_this_machine(tmp_path):
    """A plain `rasa run actions` (no MBC_ACTION_SECRET) listens on every interface, as Rasa's does."""
    env = {k: v for k, v in os.environ.items() if k != "MBC_ACTION_SECRET"}
    proc = start_actions({**env, "SANIC_HOST": "0.0.0.0"}, 16199, tmp_path / "actions.log")
    try:
        wait_for("http://127.0.0.1:16199/health", 120, proc)
        outward = this_hosts_outward_address()
        assert not outward.startswith("127.")
        assert request("http://127.0.0.1:16199/webhook", ACTION_CALL) == 200
        assert request("http://127.0.0.1:16199/webhook", ACTION_CALL, {"X-Forwarded-For": "203.0.113.9"}) == 401
        assert request("http://127.0.0.1:16199/webhook", ACTION_CALL, {"X-Real-IP": "203.0.113.9"}) == 401
        assert request(f"http://{outward}:16199/webhook", ACTION_CALL) == 401
        assert request(f"http://{outward}:16199/health") == 200
    finally:
        stop(proc)
    assert "MBC_ACTION_SECRET is not set" in (tmp_path / "actions.log").read_text()


def test_rasa_http_api_is_closed_everywhere(scaleout):
    for base in targets(scaleout):
        assert request(f"{base}/conversations/someone/tracker") in (401, 403, 404)
        assert request(f"{base}/model/parse", b'{"text": "hi"}', method="POST") in (401, 403, 404, 405)
        assert request(f"{base}/conversations/someone/tracker/events", b"[]", method="POST") in (401, 403, 404, 405)


def fresh_window():
    """Start a flood early in a rate-limit window, so the whole of it is counted in one window."""
    into = time.time() % WINDOW_S
    if into > WINDOW_S - 15:
        time.sleep(WINDOW_S - into + 0.5)


def test_a_flooding_sender_is_told_kindly_to_wait_on_every_server(scaleout):
    limit, sender = SCALEOUT_LIMITS["MBC_RATE_PER_SENDER"], f"flood-{uuid.uuid4().hex}"
    fresh_window()
    where = targets(scaleout)
    answers = [post(where[i % len(where)], sender, "what is NED") for i in range(limit + 3)]
    with ThreadPoolExecutor(8) as pool:  # then a burst at once: refused before any work is done
        answers += list(pool.map(lambda i: post(where[i % len(where)], sender, "hello"), range(16)))
    statuses = [status for status, _ in answers]
    # Counted across both servers (Redis): exactly `limit` answered, whichever server got them.
    assert statuses == [200] * limit + [429] * (len(answers) - limit), statuses
    assert all(body == {"error": SLOW_DOWN} for status, body in answers if status == 429)
    assert say(scaleout.public_url, f"other-{uuid.uuid4().hex}", "hello"), "others are still answered"


def test_a_flooding_address_is_limited_and_cannot_hide_behind_a_header(scaleout):
    limit, address = SCALEOUT_LIMITS["MBC_RATE_PER_ADDRESS"], "203.0.113.7"  # TEST-NET-3
    fresh_window()
    rasa1, rasa2 = scaleout.rasa_urls
    # Behind nginx the Rasa servers take the client address from X-Real-IP, which nginx sets.
    statuses = [post((rasa1, rasa2)[i % 2], f"addr-{uuid.uuid4().hex}", "hi", {"X-Real-IP": address})[0]
                for i in range(limit + 4)]
    assert statuses == [200] * limit + [429] * 4, statuses
    # Through nginx a client's own X-Real-IP is replaced by its real address (here loopback, not limited).
    status, _ = post(scaleout.public_url, f"addr-{uuid.uuid4().hex}", "hi", {"X-Real-IP": address})
    assert status == 200


async def socketio_flood(url, count):
    client = socketio.AsyncClient(reconnection=False)
    replies, session = [], f"sio{uuid.uuid4().hex}"
    client.on("bot_uttered", lambda data: replies.append(data))
    await client.connect(url, transports=["polling"], socketio_path="/socket.io")
    await client.emit("session_request", {"session_id": session})
    await asyncio.sleep(0.5)
    for _ in range(count):  # as fast as someone pasting: a message every 0.3 s
        await client.emit("user_uttered", {"message": "what is NED", "session_id": session})
        await asyncio.sleep(0.3)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(r.get("text") == SLOW_DOWN for r in replies) < count - \
            SCALEOUT_LIMITS["MBC_RATE_PER_SENDER"]:
        await asyncio.sleep(0.2)
    await client.eio.disconnect(abort=True)  # not waiting for the pending long-poll to end
    return replies


def test_the_widget_channel_is_rate_limited_too_through_nginx(scaleout):
    limit = SCALEOUT_LIMITS["MBC_RATE_PER_SENDER"]
    fresh_window()
    replies = asyncio.run(socketio_flood(scaleout.public_url, limit + 5))
    assert sum(r.get("text") == SLOW_DOWN for r in replies) == 5
    assert any(re.search("no evidence of disease", r.get("text") or "") for r in replies)


def test_a_replayed_slack_request_is_refused_by_every_server(scaleout):
    user = "U" + uuid.uuid4().hex[:8].upper()
    body = json.dumps({"type": "event_callback", "event_id": "Ev" + uuid.uuid4().hex, "event_time": int(time.time()),
                       "event": {"type": "message", "channel": "D" + user[1:], "user": user, "text": "hello",
                                 "ts": f"{time.time():.6f}", "channel_type": "im"}}).encode()
    timestamp = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature":
               SignatureVerifier(SCALEOUT_SLACK_SECRET).generate_signature(timestamp=timestamp, body=body)}
    rasa1, rasa2 = scaleout.rasa_urls
    assert request(f"{rasa1}/webhooks/slack/webhook", body, headers) == 200
    for base in (rasa2, scaleout.public_url, rasa1):  # the replay cache is in Redis, shared by all
        assert request(f"{base}/webhooks/slack/webhook", body, headers) == 401
