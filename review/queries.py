"""What the pages ask of the review tables: the filtered conversation list, dashboards, exports.

Every list query is one indexed, paged SELECT (no loading all conversations into memory).
"""
import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import sqlalchemy as sa

from review.schema import FLAGGED_OUTCOMES, conversations, corrections, messages, tags

PAGE_SIZE = 50
SORTS = {
    "newest": [conversations.c.last_at.desc(), conversations.c.sender_id],
    "oldest": [conversations.c.last_at.asc(), conversations.c.sender_id],
    "lowest_confidence": [conversations.c.min_confidence.asc().nulls_last(), conversations.c.last_at.desc(),
                          conversations.c.sender_id],
    "longest": [conversations.c.user_messages.desc(), conversations.c.last_at.desc(), conversations.c.sender_id],
}
OUTCOME_FILTERS = FLAGGED_OUTCOMES + ("fell_short",)
FEEDBACK_FILTERS = ("negative", "positive", "wrong")
STATUSES = ("new", "reviewed")


def parse_date(value: str) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _float(value: str) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 1 else None


@dataclass
class Filters:
    """The list's filters as they come from the query string; unknown values are ignored, not errors."""
    date_from: Optional[dt.date] = None
    date_to: Optional[dt.date] = None
    channel: str = ""
    outcome: str = ""
    max_confidence: Optional[float] = None
    feedback: str = ""
    status: str = ""
    tag: str = ""
    q: str = ""
    sort: str = "newest"
    page: int = 1
    errors: List[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "Filters":
        get = lambda name: (args.get(name) or "").strip()  # noqa: E731
        f = cls(date_from=parse_date(get("from")), date_to=parse_date(get("to")), channel=get("channel")[:64],
                outcome=get("outcome") if get("outcome") in OUTCOME_FILTERS else "",
                max_confidence=_float(get("max_confidence")),
                feedback=get("feedback") if get("feedback") in FEEDBACK_FILTERS else "",
                status=get("status") if get("status") in STATUSES else "",
                tag=get("tag")[:40], q=get("q")[:200],
                sort=get("sort") if get("sort") in SORTS else "newest")
        for name, parsed in (("from", f.date_from), ("to", f.date_to)):
            if get(name) and parsed is None:
                f.errors.append(f"“{get(name)}” is not a date (YYYY-MM-DD): the {name} filter was ignored.")
        if get("max_confidence") and f.max_confidence is None:
            f.errors.append("Confidence must be a number between 0 and 1: that filter was ignored.")
        try:
            f.page = max(1, min(int(get("page") or 1), 100000))
        except ValueError:
            f.page = 1
        return f

    def query_args(self, **override) -> Dict[str, str]:
        values = {"from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "",
                  "channel": self.channel, "outcome": self.outcome,
                  "max_confidence": "" if self.max_confidence is None else str(self.max_confidence),
                  "feedback": self.feedback, "status": self.status, "tag": self.tag, "q": self.q,
                  "sort": self.sort, "page": str(self.page)}
        values.update({k: str(v) for k, v in override.items()})
        return {k: v for k, v in values.items() if v and not (k == "sort" and v == "newest")
                and not (k == "page" and v == "1")}


def where_clauses(f: Filters) -> list:
    c = conversations.c
    clauses = []
    if f.date_from:
        clauses.append(c.last_at >= dt.datetime.combine(f.date_from, dt.time.min))
    if f.date_to:
        clauses.append(c.started_at < dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min))
    if f.channel:
        clauses.append(c.channel == f.channel)
    if f.outcome == "fell_short":
        clauses.append(sa.or_(c.has_did_you_mean, c.has_not_covered, c.has_fallback,
                              c.negative_feedback, c.marked_wrong))
    elif f.outcome:
        clauses.append(getattr(c, f"has_{f.outcome}").is_(True))
    if f.max_confidence is not None:
        clauses.append(c.min_confidence <= f.max_confidence)
    if f.feedback == "negative":
        clauses.append(c.negative_feedback.is_(True))
    elif f.feedback == "positive":
        clauses.append(c.positive_feedback.is_(True))
    elif f.feedback == "wrong":
        clauses.append(c.marked_wrong.is_(True))
    if f.status:
        clauses.append(c.status == f.status)
    if f.tag:
        clauses.append(c.sender_id.in_(sa.select(tags.c.sender_id).where(tags.c.tag == f.tag)))
    if f.q:
        escaped = f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(c.search_text.like(f"%{escaped}%", escape="\\"))
    return clauses


def list_conversations(conn, f: Filters, page_size: int = PAGE_SIZE):
    """(rows of one page, total matching) for the filters."""
    clauses = where_clauses(f)
    total = conn.execute(sa.select(sa.func.count()).select_from(conversations).where(*clauses)).scalar()
    cols = [c for c in conversations.c if c.name not in ("search_text", "last_user_event_id")]
    rows = conn.execute(sa.select(*cols).where(*clauses).order_by(*SORTS[f.sort])
                        .limit(page_size).offset((f.page - 1) * page_size)).all()
    tag_map = tags_of(conn, [r.sender_id for r in rows])
    return [dict(r._mapping, tags=tag_map.get(r.sender_id, [])) for r in rows], total


def _chunks(items: List[str], size: int = 500):
    # Bounded IN lists: exports can name tens of thousands of conversations.
    return (items[start:start + size] for start in range(0, len(items), size))


def tags_of(conn, sender_ids: List[str]) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for chunk in _chunks(sender_ids):
        for row in conn.execute(sa.select(tags).where(tags.c.sender_id.in_(chunk)).order_by(tags.c.tag)):
            found.setdefault(row.sender_id, []).append(row.tag)
    return found


def channels(conn) -> List[str]:
    return [r[0] for r in conn.execute(sa.select(conversations.c.channel).distinct().order_by(conversations.c.channel))
            if r[0]]


def all_tags(conn) -> List[str]:
    return [r[0] for r in conn.execute(sa.select(tags.c.tag).distinct().order_by(tags.c.tag))]


def conversation(conn, sender_id: str) -> Optional[dict]:
    row = conn.execute(sa.select(conversations).where(conversations.c.sender_id == sender_id)).first()
    if row is None:
        return None
    return dict(row._mapping, tags=tags_of(conn, [sender_id]).get(sender_id, []))


def message_rows(conn, sender_ids: List[str]) -> Dict[str, List[dict]]:
    found: Dict[str, List[dict]] = {}
    for chunk in _chunks(sender_ids):
        query = sa.select(messages).where(messages.c.sender_id.in_(chunk)).order_by(messages.c.event_id)
        for row in conn.execute(query):
            found.setdefault(row.sender_id, []).append(dict(row._mapping))
    return found


def corrections_of(conn, sender_id: str) -> Dict[int, dict]:
    return {r.event_id: dict(r._mapping) for r in conn.execute(
        sa.select(corrections).where(corrections.c.sender_id == sender_id))}


def export_rows(conn, f: Filters, limit: int = 100000):
    """Every conversation matching the filters (newest first), for CSV/JSON export."""
    cols = [c for c in conversations.c if c.name not in ("search_text", "last_user_event_id")]
    return [dict(r._mapping) for r in conn.execute(
        sa.select(*cols).where(*where_clauses(f)).order_by(*SORTS[f.sort]).limit(limit))]
