"""The pages staff read: the conversation list, one transcript, the dashboard, the not-covered question
groups, the training examples and (admins only) the audit log. Reads run off the event loop."""
import datetime as dt
from urllib.parse import urlencode

import sqlalchemy as sa
from sanic import Blueprint, response

from review import audit, auth, dashboard, indexer, queries, training, transcript
from review.blocking import off_loop
from review.routes.common import Deps, admin_only, int_arg, titles
from review.schema import examples
from understanding.spacy_pipeline import load_pipeline


def blueprint(deps: Deps) -> Blueprint:
    bp = Blueprint("pages")

    @bp.get("/")
    async def home(request):
        return response.redirect("/conversations", status=303)

    @bp.get("/conversations")
    async def conversation_list(request):
        filters = queries.Filters.from_args(request.args)
        rows, total, choices = await off_loop(listing, deps, filters)
        pages = max(1, -(-total // queries.PAGE_SIZE))
        link = lambda **kw: "/conversations?" + urlencode(filters.query_args(**kw))  # noqa: E731
        return deps.render(request, "conversations.html", rows=rows, total=total, filters=filters, pages=pages,
                           link=link, choices=choices, outcomes=queries.OUTCOME_FILTERS, sorts=list(queries.SORTS),
                           export_query=urlencode(filters.query_args(page=1)))

    @bp.get("/conversation")
    async def conversation_page(request):
        found = await off_loop(conversation, deps, request.args.get("id") or "", request.ctx.staff.username)
        if found is None:
            return response.text("No such conversation.", status=404)
        conv, turns, answer_titles = found
        return deps.render(request, "conversation.html", conv=conv, answer_titles=answer_titles, turns=turns,
                           csrf=request.ctx.staff.csrf_token, out_of_scope=training.OUT_OF_SCOPE,
                           back=request.args.get("back") or "")

    @bp.get("/examples")
    async def examples_page(request):
        rows, answer_titles = await off_loop(example_rows, deps)
        return deps.render(request, "examples.html", rows=rows, answer_titles=answer_titles,
                           csrf=request.ctx.staff.csrf_token)

    @bp.get("/uncovered")
    async def uncovered(request):
        days = int_arg(request.args.get("days"), 30, 1, 3650)
        groups = await off_loop(uncovered_groups, deps, auth.now() - dt.timedelta(days=days))
        return deps.render(request, "uncovered.html", groups=groups[:100], days=days)

    @bp.get("/dashboard")
    async def dashboard_page(request):
        end = queries.parse_date(request.args.get("to")) or auth.now().date()
        start = queries.parse_date(request.args.get("from")) or end - dt.timedelta(days=29)
        if start > end or (end - start).days > 366:
            start = end - dt.timedelta(days=29)
        figures, answer_titles = await off_loop(dashboard_figures, deps, start, end)
        charts = {key: dashboard.bars(figures[key]) for key in
                  ("per_day_conversations", "per_day_messages", "per_day_emergencies")}
        return deps.render(request, "dashboard.html", f=figures, charts=charts, answer_titles=answer_titles)

    @bp.get("/audit")
    @admin_only
    async def audit_page(request):
        rows = await off_loop(audit_rows, deps, request.args.get("id") or None)
        return deps.render(request, "audit.html", rows=rows)

    return bp


# What each page reads (blocking: run through off_loop).

def listing(deps: Deps, filters: queries.Filters):
    indexer.sync(deps.tracker, deps.review)
    with deps.review.connect() as conn:
        rows, total = queries.list_conversations(conn, filters)
        choices = {"channels": queries.channels(conn), "tags": queries.all_tags(conn)}
    return rows, total, choices


def conversation(deps: Deps, sender_id: str, username: str):
    """(conversation, turns, answer titles), the view audited; None if there is no such conversation."""
    with deps.review.connect() as conn:
        known = queries.conversation(conn, sender_id) is not None
    if not known:  # perhaps not indexed yet (the indexer holds no connection of ours while it runs)
        indexer.sync(deps.tracker, deps.review)
    with deps.review.begin() as conn:
        conv = queries.conversation(conn, sender_id)
        if conv is None:
            return None
        indexed = {m["event_id"]: m for m in queries.message_rows(conn, [sender_id]).get(sender_id, [])}
        fixes = queries.corrections_of(conn, sender_id)
        audit.record(conn, username, "view", sender_id)
    answer_titles = titles()
    return conv, transcript.turns(deps.tracker, sender_id, indexed, fixes), answer_titles


def example_rows(deps: Deps):
    with deps.review.connect() as conn:
        rows = conn.execute(sa.select(examples).order_by(examples.c.id.desc())).all()
    return rows, titles()


def uncovered_groups(deps: Deps, since: dt.datetime):
    indexer.sync(deps.tracker, deps.review)
    with deps.review.connect() as conn:
        return training.uncovered_groups(conn, load_pipeline(), since)


def dashboard_figures(deps: Deps, start: dt.date, end: dt.date):
    indexer.sync(deps.tracker, deps.review)
    with deps.review.connect() as conn:
        figures = dashboard.figures(conn, start, end)
    return figures, titles()


def audit_rows(deps: Deps, sender_id):
    with deps.review.connect() as conn:
        return audit.recent(conn, sender_id=sender_id)
