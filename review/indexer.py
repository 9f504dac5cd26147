"""Incremental indexing of Rasa's tracker events into the review tables.

Reads events after the last one indexed, in id order and in batches; each batch is written in one
transaction together with the new high-water mark, and the mark is advanced only if no other indexer
moved it meanwhile, so every event is indexed exactly once even with several app processes.
User text is redacted here, before it is stored: the review tables never hold personal data. A large
batch (catching up after a busy hour) is redacted on several processes (privacy.parallel).
"""
import threading
from typing import Dict

import sqlalchemy as sa

from privacy.parallel import redact_many_parallel
from review import events as ev
from review.schema import FLAG_COLUMNS, conversations, events, messages, sync_state

BATCH = 5000
INDEXED_SLOTS = frozenset({"outcome", "feedback", "feedback_answer_id"})
SEARCH_TEXT_LIMIT = 20000
_lock = threading.Lock()


def last_indexed(conn) -> int:
    value = conn.execute(sa.select(sync_state.c.last_event_id).where(sync_state.c.id == 1)).scalar()
    return value or 0


def sync(tracker_engine, review_engine, batch: int = BATCH) -> int:
    """Index every event not indexed yet; returns how many events were read."""
    if not sa.inspect(tracker_engine).has_table("events"):
        return 0
    done = 0
    with _lock:
        while True:
            with review_engine.connect() as conn:
                start = last_indexed(conn)
            with tracker_engine.connect() as conn:
                rows = conn.execute(sa.select(events).where(events.c.id > start)
                                    .order_by(events.c.id).limit(batch)).all()
            if not rows:
                return done
            with review_engine.begin() as conn:
                if not _advance_mark(conn, start, rows[-1].id):
                    continue  # another indexer took this batch; read again from its mark
                _index_batch(conn, rows)
            done += len(rows)


def _advance_mark(conn, start: int, end: int) -> bool:
    if start == 0 and conn.execute(sa.select(sync_state.c.id)).first() is None:
        conn.execute(sync_state.insert().values(id=1, last_event_id=end))
        return True
    result = conn.execute(sync_state.update().where(sync_state.c.id == 1)
                          .where(sync_state.c.last_event_id == start).values(last_event_id=end))
    return result.rowcount == 1


def _index_batch(conn, rows) -> None:
    senders = {r.sender_id for r in rows}
    known = {r.sender_id: dict(r._mapping) for r in conn.execute(
        sa.select(conversations).where(conversations.c.sender_id.in_(senders)))}
    new_convs: Dict[str, dict] = {}
    new_msgs: Dict[int, dict] = {}
    msg_updates: Dict[int, dict] = {}  # messages indexed in an earlier batch

    user_data = {r.id: ev.load(r.data) for r in rows if r.type_name == "user"}
    plain = [t for t in ((d.get("text") or "") for d in user_data.values()) if not ev.is_button_payload(t)]
    unique = list(dict.fromkeys(plain))  # "hello", "yes", "thank you": each text redacted once
    redacted = dict(zip(unique, redact_many_parallel(unique)))  # in batches, on every core when many

    def conv_for(row) -> dict:
        if row.sender_id in known:
            return known[row.sender_id]
        if row.sender_id not in new_convs:
            at = ev.when(row.timestamp)
            new_convs[row.sender_id] = {
                "sender_id": row.sender_id, "channel": "", "started_at": at, "last_at": at,
                "user_messages": 0, "bot_messages": 0, "min_confidence": None, "preview": "",
                "search_text": "", "last_user_event_id": None, "status": "new", "note": "",
                **{name: False for name in FLAG_COLUMNS}}
        return new_convs[row.sender_id]

    def turn_message(conv: dict):
        event_id = conv["last_user_event_id"]
        if event_id is None:
            return None
        if event_id in new_msgs:
            return new_msgs[event_id]
        return msg_updates.setdefault(event_id, {})

    for row in rows:
        conv = conv_for(row)
        conv["last_at"] = max(conv["last_at"], ev.when(row.timestamp))
        if row.type_name == "user":
            data = user_data[row.id]
            text = data.get("text") or ""
            button = ev.is_button_payload(text)
            decided = ev.decision(data.get("parse_data") or {})
            clean = text if button else redacted.get(text, "")
            new_msgs[row.id] = {"event_id": row.id, "sender_id": row.sender_id, "at": ev.when(row.timestamp),
                                "text": clean, "is_button": button, "intent": decided.intent,
                                "confidence": decided.confidence, "answer_id": decided.answer_id,
                                "outcome": "other", "feedback": None}
            conv["last_user_event_id"] = row.id
            conv["user_messages"] += 1
            conv["channel"] = conv["channel"] or (data.get("input_channel") or "")[:64]
            if not button:
                conv["preview"] = conv["preview"] or clean[:200]
                if len(conv["search_text"]) < SEARCH_TEXT_LIMIT:
                    conv["search_text"] = (conv["search_text"] + " " + clean.lower()).strip()[:SEARCH_TEXT_LIMIT]
                if decided.confidence is not None:
                    current = conv["min_confidence"]
                    conv["min_confidence"] = decided.confidence if current is None else min(current, decided.confidence)
        elif row.type_name == "bot":
            conv["bot_messages"] += 1
        elif row.type_name == "action" and row.action_name in ev.ACTION_OUTCOMES:
            message = turn_message(conv)
            if message is not None and message.get("outcome", "other") == "other":
                _set_outcome(conv, message, ev.ACTION_OUTCOMES[row.action_name])
        elif row.type_name == "slot":
            if row.action_name is not None and row.action_name not in INDEXED_SLOTS:
                continue  # the tracker store keeps a slot's name in action_name: no need to read its JSON
            data = ev.load(row.data)
            message = turn_message(conv)
            if message is None:
                continue
            if data.get("name") == "outcome" and data.get("value") in ev.SLOT_OUTCOMES:
                _set_outcome(conv, message, ev.SLOT_OUTCOMES[data["value"]])
            elif data.get("name") == "feedback" and data.get("value") in ("yes", "no"):
                message["feedback"] = data["value"]
                conv["negative_feedback" if data["value"] == "no" else "positive_feedback"] = True
            elif data.get("name") == "feedback_answer_id" and data.get("value"):
                message["answer_id"] = str(data["value"])[:200]

    if new_convs:
        conn.execute(conversations.insert(), list(new_convs.values()))
    for sender, conv in known.items():
        conn.execute(conversations.update().where(conversations.c.sender_id == sender)
                     .values({k: v for k, v in conv.items() if k != "sender_id"}))
    if new_msgs:
        conn.execute(messages.insert(), list(new_msgs.values()))
    for event_id, change in msg_updates.items():
        if change:
            conn.execute(messages.update().where(messages.c.event_id == event_id).values(**change))


def _set_outcome(conv: dict, message: dict, outcome: str) -> None:
    message["outcome"] = outcome
    if f"has_{outcome}" in conv:
        conv[f"has_{outcome}"] = True
