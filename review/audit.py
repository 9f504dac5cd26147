"""Who viewed or exported which conversation, and other staff actions, append-only."""
import datetime as dt
import json
from typing import Iterable, Optional

import sqlalchemy as sa

from review.auth import now
from review.schema import audit_log


def record(conn, username: str, action: str, sender_id: Optional[str] = None, detail: str = "") -> None:
    conn.execute(audit_log.insert().values(at=now(), username=username, action=action, sender_id=sender_id,
                                           detail=detail[:2000]))


def record_export(conn, username: str, action: str, sender_ids: Iterable[str], filters: dict) -> None:
    """One row per exported conversation, so "who saw conversation X" is one indexed query."""
    at = now()
    detail = json.dumps(filters, sort_keys=True)[:2000]
    rows = [{"at": at, "username": username, "action": action, "sender_id": s, "detail": detail} for s in sender_ids]
    if rows:
        conn.execute(audit_log.insert(), rows)
    else:
        record(conn, username, action, None, detail)


def recent_failures(conn, username: str, minutes: int) -> int:
    """Failed sign-ins for this username in the last `minutes` minutes (since its last success)."""
    since = now() - dt.timedelta(minutes=minutes)
    last_ok = conn.execute(sa.select(sa.func.max(audit_log.c.at)).where(
        audit_log.c.username == username, audit_log.c.action == "login")).scalar()
    if last_ok is not None and last_ok > since:
        since = last_ok
    return conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(
        audit_log.c.username == username, audit_log.c.action == "login_failed", audit_log.c.at > since)).scalar()


def recent(conn, limit: int = 200, sender_id: Optional[str] = None):
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if sender_id:
        query = query.where(audit_log.c.sender_id == sender_id)
    return conn.execute(query).all()
