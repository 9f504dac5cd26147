"""Dashboard figures over a date range: per-day volumes, outcome rates, top answers, feedback, emergencies."""
import datetime as dt
from typing import Dict, List, Tuple

import sqlalchemy as sa

from review.schema import conversations, messages


def _day(column):
    return sa.func.date(column)  # a date in SQLite and PostgreSQL alike


def _days(start: dt.date, end: dt.date) -> List[str]:
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def _per_day(conn, query, start, end) -> List[Tuple[str, int]]:
    counts = {str(day): n for day, n in conn.execute(query)}
    return [(day, counts.get(day, 0)) for day in _days(start, end)]


def figures(conn, start: dt.date, end: dt.date) -> Dict:
    lo = dt.datetime.combine(start, dt.time.min)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    m, c = messages.c, conversations.c
    in_range = sa.and_(m.at >= lo, m.at < hi)
    conv_day = _day(c.started_at)
    msg_day = _day(m.at)
    per_day_convs = _per_day(conn, sa.select(conv_day, sa.func.count()).where(c.started_at >= lo, c.started_at < hi)
                             .group_by(conv_day), start, end)
    per_day_msgs = _per_day(conn, sa.select(msg_day, sa.func.count()).where(in_range, m.is_button.is_(False))
                            .group_by(msg_day), start, end)
    per_day_emergencies = _per_day(conn, sa.select(msg_day, sa.func.count()).where(in_range, m.outcome == "emergency")
                                   .group_by(msg_day), start, end)
    outcomes = dict(conn.execute(sa.select(m.outcome, sa.func.count()).where(in_range, m.is_button.is_(False))
                                 .group_by(m.outcome)).all())
    questions = sum(outcomes.get(o, 0) for o in ("answered", "did_you_mean", "not_covered", "fallback",
                                                 "out_of_scope", "advice", "emergency"))
    rates = [(name, outcomes.get(name, 0), (outcomes.get(name, 0) / questions) if questions else 0.0)
             for name in ("answered", "did_you_mean", "not_covered", "fallback", "out_of_scope", "advice",
                          "emergency")]
    top_answers = conn.execute(sa.select(m.answer_id, sa.func.count().label("n"))
                               .where(in_range, m.outcome == "answered", m.answer_id.isnot(None))
                               .group_by(m.answer_id).order_by(sa.desc("n"), m.answer_id).limit(10)).all()
    feedback = dict(conn.execute(sa.select(m.feedback, sa.func.count()).where(in_range, m.feedback.isnot(None))
                                 .group_by(m.feedback)).all())
    return {"start": start, "end": end, "per_day_conversations": per_day_convs,
            "per_day_messages": per_day_msgs, "per_day_emergencies": per_day_emergencies,
            "rates": rates, "questions": questions, "top_answers": [tuple(r) for r in top_answers],
            "feedback": {"yes": feedback.get("yes", 0), "no": feedback.get("no", 0)}}


def bars(series: List[Tuple[str, int]], width: int = 720, height: int = 160) -> Dict:
    """Geometry of an SVG bar chart (the template draws it: no script, no CDN)."""
    top = max([n for _, n in series] + [1])
    step = width / max(len(series), 1)
    return {"width": width, "height": height, "max": top,
            "bars": [{"x": round(i * step, 1), "w": max(round(step * 0.8, 1), 1),
                      "h": round(height * n / top, 1), "y": round(height - height * n / top, 1),
                      "label": label, "n": n} for i, (label, n) in enumerate(series)]}
