"""What a conversation sent and was told, and what the tracker store kept of it: the checks shared by
the scale-out and fault tests."""
import json
import urllib.error
import urllib.request

import sqlalchemy as sa


def post(url: str, sender: str, text: str, headers=None, timeout: float = 60):
    """(status, body) of one REST message."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    req = urllib.request.Request(f"{url}/webhooks/rest/webhook", body,
                                 {"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def say(url: str, sender: str, text: str) -> list:
    """The reply texts to one message, which must be answered (200, not empty)."""
    status, replies = post(url, sender, text)
    assert status == 200 and replies, (url, text, status, replies)
    return [m.get("text") for m in replies]


def stored(db_url: str, sender: str) -> list:
    """[("user" | "bot", text)] as the tracker store keeps them, in event order. Rasa stores the
    messages of a session's start (the disclaimer) just before the user message that opened the
    session; they are put after it here, where the user saw them."""
    engine = sa.create_engine(db_url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT type_name, action_name, data FROM events WHERE sender_id = :s AND (type_name IN "
                "('user', 'bot') OR action_name = 'action_session_start') ORDER BY id"), {"s": sender}).all()
    finally:
        engine.dispose()
    events, starting = [], None
    for kind, action, data in rows:
        if action == "action_session_start":
            starting = []
        elif kind == "user":
            events += [("user", json.loads(data).get("text"))] + (starting or [])
            starting = None
        else:
            (events if starting is None else starting).append(("bot", json.loads(data).get("text")))
    return events + (starting or [])


def expected(turns: list) -> list:
    """The same shape from what was sent and answered: [(user text, [reply texts])]."""
    return [event for text, replies in turns for event in [("user", text)] + [("bot", r) for r in replies]]
