"""Delete conversations whose last activity is older than the retention period, from Rasa's tracker
store and from the review tables. Accepted training examples stay (their text is redacted); the
audit log keeps the record that a conversation was deleted."""
import datetime as dt
from typing import List

import sqlalchemy as sa

from review import audit
from review.schema import conversations, corrections, events, messages, tags

CHUNK = 500


def expired_senders(tracker_engine, days: int) -> List[str]:
    cutoff = (dt.datetime.utcnow() - dt.timedelta(days=days)).replace(tzinfo=dt.timezone.utc).timestamp()
    if not sa.inspect(tracker_engine).has_table("events"):
        return []
    with tracker_engine.connect() as conn:
        return [r[0] for r in conn.execute(
            sa.select(events.c.sender_id).group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff))]


def apply_retention(tracker_engine, review_engine, days: int, by: str = "retention") -> int:
    """Delete every conversation idle for more than `days` days; returns how many were deleted."""
    if days < 1:
        raise ValueError("Retention must be at least one day")
    senders = expired_senders(tracker_engine, days)
    for start in range(0, len(senders), CHUNK):
        chunk = senders[start:start + CHUNK]
        with tracker_engine.begin() as conn:
            conn.execute(events.delete().where(events.c.sender_id.in_(chunk)))
        with review_engine.begin() as conn:
            for table in (messages, tags, corrections, conversations):
                conn.execute(table.delete().where(table.c.sender_id.in_(chunk)))
            audit.record_export(conn, by, "retention_delete", chunk, {"days": days})
    return len(senders)
