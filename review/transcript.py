"""One conversation as staff read it: each user message (redacted) with how it was decided and what
was sent back, built from Rasa's events plus the indexed, redacted message rows."""
from typing import Dict, List

import sqlalchemy as sa

from privacy.redact import redact_many
from review import events as ev
from review.schema import events


def turns(tracker_engine, sender_id: str, indexed: Dict[int, dict], corrections: Dict[int, dict]) -> List[dict]:
    with tracker_engine.connect() as conn:
        rows = conn.execute(sa.select(events).where(events.c.sender_id == sender_id)
                            .where(events.c.type_name.in_(("user", "bot"))).order_by(events.c.id)).all()
    # Messages the indexer has not reached yet are redacted here (never shown as written).
    unindexed = [ev.load(r.data).get("text") or "" for r in rows if r.type_name == "user" and r.id not in indexed]
    plain = [t for t in unindexed if not ev.is_button_payload(t)]
    fresh = dict(zip(plain, redact_many(plain)))
    result: List[dict] = []
    for row in rows:
        data = ev.load(row.data)
        if row.type_name == "user":
            text = data.get("text") or ""
            known = indexed.get(row.id) or {}
            decided = ev.decision(data.get("parse_data") or {})
            button = ev.is_button_payload(text)
            result.append({
                "event_id": row.id, "at": ev.when(row.timestamp), "is_button": button,
                "text": text if button else known.get("text", fresh.get(text, "")),
                "intent": decided.intent, "intent_confidence": decided.intent_confidence,
                "answer_id": decided.answer_id, "answer_confidence": decided.answer_confidence,
                "runners_up": decided.runners_up, "outcome": known.get("outcome", "other"),
                "feedback": known.get("feedback"), "correction": corrections.get(row.id), "replies": []})
        elif result:
            text, links = ev.bot_parts(data)
            buttons = [b.get("title", "") for b in ((data.get("data") or {}).get("buttons") or [])
                       if isinstance(b, dict)]
            result[-1]["replies"].append({"text": text, "links": links, "buttons": buttons})
    return result
