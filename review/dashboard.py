"""Dashboard figures over a date range: per-day volumes, outcome rates, top answers, feedback, emergencies."""
import datetime as dt
from collections import Counter
from typing import Dict, List, Tuple

import sqlalchemy as sa

from review.schema import conversations, messages

QUESTION_OUTCOMES = ("answered", "did_you_mean", "not_covered", "fallback", "out_of_scope", "advice",
                     "emergency")


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
    conv_day, msg_day = _day(c.started_at), _day(m.at)
    per_day_convs = _per_day(conn, sa.select(conv_day, sa.func.count()).where(c.started_at >= lo, c.started_at < hi)
                             .group_by(conv_day), start, end)
    # One pass over the range's messages gives the volumes, outcomes, emergencies and feedback.
    msgs_by_day, emergencies_by_day = Counter(), Counter()
    outcomes, feedback = Counter(), Counter()
    query = (sa.select(msg_day, m.outcome, m.feedback, sa.func.count())
             .where(m.at >= lo, m.at < hi, m.is_button.is_(False)).group_by(msg_day, m.outcome, m.feedback))
    buttons = sa.select(m.feedback, sa.func.count()).where(m.at >= lo, m.at < hi, m.is_button.is_(True),
                                                           m.feedback.isnot(None)).group_by(m.feedback)
    for day, outcome, given, n in conn.execute(query):
        msgs_by_day[str(day)] += n
        outcomes[outcome] += n
        if outcome == "emergency":
            emergencies_by_day[str(day)] += n
        if given:
            feedback[given] += n
    for given, n in conn.execute(buttons):  # "Was this helpful?" is answered with a button
        feedback[given] += n
    questions = sum(outcomes[o] for o in QUESTION_OUTCOMES)
    rates = [(name, outcomes[name], outcomes[name] / questions if questions else 0.0) for name in QUESTION_OUTCOMES]
    top_answers = conn.execute(sa.select(m.answer_id, sa.func.count().label("n"))
                               .where(m.outcome == "answered", m.at >= lo, m.at < hi, m.answer_id.isnot(None))
                               .group_by(m.answer_id).order_by(sa.desc("n"), m.answer_id).limit(10)).all()
    days = _days(start, end)
    return {"start": start, "end": end, "per_day_conversations": per_day_convs,
            "per_day_messages": [(d, msgs_by_day[d]) for d in days],
            "per_day_emergencies": [(d, emergencies_by_day[d]) for d in days],
            "rates": rates, "questions": questions, "top_answers": [tuple(r) for r in top_answers],
            "feedback": {"yes": feedback["yes"], "no": feedback["no"]}}


def bars(series: List[Tuple[str, int]], width: int = 720, height: int = 160) -> Dict:
    """Geometry of an SVG bar chart (the template draws it: no script, no CDN)."""
    top = max([n for _, n in series] + [1])
    step = width / max(len(series), 1)
    return {"width": width, "height": height, "max": top,
            "bars": [{"x": round(i * step, 1), "w": max(round(step * 0.8, 1), 1),
                      "h": round(height * n / top, 1), "y": round(height - height * n / top, 1),
                      "label": label, "n": n} for i, (label, n) in enumerate(series)]}
