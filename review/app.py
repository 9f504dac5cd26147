"""The staff review web app (Sanic, server-rendered Jinja2 pages with autoescaping; no external assets).

Every route but the login page and the stylesheet needs a signed-in staff member; every form carries
the session's CSRF token; every response says not to cache it or frame it.
"""
import csv
import datetime as dt
import io
import json
import secrets
from functools import wraps
from typing import Optional
from urllib.parse import urlencode

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import NotFound

from content.store import approved_titles, get_engine
from review import audit, auth, dashboard, indexer, queries, training, transcript
from review.schema import conversations, corrections, create_review_schema, examples, messages, tags
from review.settings import STATIC_DIR, TEMPLATES_DIR, Settings
from understanding.spacy_pipeline import load_pipeline

SESSION_COOKIE = "mbc_review_session"
LOGIN_CSRF_COOKIE = "mbc_review_login"
ASSETS = {"/static/review.css", "/favicon.ico"}  # public, and need no session lookup
PUBLIC = {"/login"} | ASSETS
# Password guessing: after this many failed sign-ins for one username, it waits this long.
LOCKOUT_FAILURES, LOCKOUT_MINUTES = 5, 15
TAG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_ ")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send "Origin: null" on our own forms
    "Cache-Control": "no-store",
}


def create_app(settings: Settings, name: str = "mbc_review") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    tracker = get_engine(settings.tracker_db_url)
    review = get_engine(settings.review_db_url)
    create_review_schema(review)
    templates = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(default=True))
    templates.filters["pct"] = lambda v: "" if v is None else f"{v * 100:.0f}%"
    templates.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M") if v else ""

    def titles():
        return approved_titles(get_engine())

    def render(request, template: str, status: int = 200, **context):
        context.update(staff=request.ctx.staff, request_path=request.path)
        return response.html(templates.get_template(template).render(**context), status=status)

    def set_cookie(resp, name: str, value: str, max_age: Optional[int] = None):
        resp.cookies[name] = value
        cookie = resp.cookies[name]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        if settings.secure_cookies:
            cookie["secure"] = True
        if max_age is not None:
            cookie["max-age"] = max_age

    @app.middleware("request")
    async def who_is_asking(request):
        request.ctx.staff = None
        if request.path in ASSETS:
            return None
        with review.begin() as conn:
            request.ctx.staff = auth.current_staff(conn, request.cookies.get(SESSION_COOKIE),
                                                   settings.idle_minutes, settings.max_session_hours)
        if request.path in PUBLIC:
            return None
        if request.ctx.staff is None:
            if request.method == "GET" and not request.path.endswith((".csv", ".json", ".yml")):
                return response.redirect("/login", status=303)
            return response.text("Sign in first.", status=401)
        if request.method == "POST":
            if not _same_origin(request) or not auth.same_token(request.ctx.staff.csrf_token,
                                                                request.form.get("csrf")):
                return response.text("This form has expired or did not come from this site. "
                                     "Go back, reload the page and try again.", status=403)
        return None

    @app.middleware("response")
    async def security_headers(request, resp):
        for key, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(key, value)

    @app.exception(NotFound)
    async def not_found(request, exc):
        return response.text("Not found.", status=404)

    def admin_only(handler):
        @wraps(handler)
        async def wrapped(request, *args, **kwargs):
            if not request.ctx.staff.is_admin:
                return response.text("Only admins can open this page.", status=403)
            return await handler(request, *args, **kwargs)
        return wrapped

    @app.get("/login")
    async def login_page(request):
        if request.ctx.staff:
            return response.redirect("/conversations", status=303)
        # Reuse the token this browser already holds: a second load (another tab, the favicon's
        # redirect) must not invalidate the form already on screen.
        token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if len(token) < 40:
            token = secrets.token_urlsafe(32)
        resp = render(request, "login.html", csrf=token, error=None)
        set_cookie(resp, LOGIN_CSRF_COOKIE, token, max_age=3600)
        return resp

    @app.post("/login")
    async def login(request):
        form_token = request.form.get("csrf")
        if not _same_origin(request) or not auth.same_token(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form_token):
            return response.text("The sign-in form expired. Reload the page and try again.", status=403)
        username = (request.form.get("username") or "").strip()[:80]
        with review.begin() as conn:
            if audit.recent_failures(conn, username, LOCKOUT_MINUTES) >= LOCKOUT_FAILURES:
                audit.record(conn, username or "?", "login_refused")
                return render(request, "login.html", status=429, csrf=form_token,
                              error=f"Too many failed sign-ins for this account. Wait {LOCKOUT_MINUTES} minutes, "
                                    "or ask an admin to reset the password.")
            user_id = auth.check_password(conn, username, request.form.get("password") or "")
            audit.record(conn, username or "?", "login" if user_id else "login_failed")
            token = auth.start_session(conn, user_id) if user_id else None
        if token is None:
            return render(request, "login.html", status=401, csrf=form_token,
                          error="That username and password do not match an active account.")
        resp = response.redirect("/conversations", status=303)
        set_cookie(resp, SESSION_COOKIE, token)
        del resp.cookies[LOGIN_CSRF_COOKIE]
        return resp

    @app.post("/logout")
    async def logout(request):
        with review.begin() as conn:
            auth.end_session(conn, request.cookies.get(SESSION_COOKIE))
            audit.record(conn, request.ctx.staff.username, "logout")
        resp = response.redirect("/login", status=303)
        del resp.cookies[SESSION_COOKIE]
        return resp

    @app.get("/favicon.ico")
    async def favicon(request):
        return response.empty(status=204)

    @app.get("/")
    async def home(request):
        return response.redirect("/conversations", status=303)

    @app.get("/conversations")
    async def conversation_list(request):
        indexer.sync(tracker, review)
        filters = queries.Filters.from_args(request.args)
        with review.connect() as conn:
            rows, total = queries.list_conversations(conn, filters)
            choices = {"channels": queries.channels(conn), "tags": queries.all_tags(conn)}
        pages = max(1, -(-total // queries.PAGE_SIZE))
        link = lambda **kw: "/conversations?" + urlencode(filters.query_args(**kw))  # noqa: E731
        return render(request, "conversations.html", rows=rows, total=total, filters=filters, pages=pages,
                      link=link, choices=choices, outcomes=queries.OUTCOME_FILTERS, sorts=list(queries.SORTS),
                      export_query=urlencode(filters.query_args(page=1)))

    @app.get("/conversation")
    async def conversation_page(request):
        sender_id = request.args.get("id") or ""
        with review.begin() as conn:
            conv = queries.conversation(conn, sender_id)
            if conv is None:
                indexer.sync(tracker, review)
                conv = queries.conversation(conn, sender_id)
            if conv is None:
                return response.text("No such conversation.", status=404)
            indexed = {m["event_id"]: m for m in queries.message_rows(conn, [sender_id]).get(sender_id, [])}
            fixes = queries.corrections_of(conn, sender_id)
            audit.record(conn, request.ctx.staff.username, "view", sender_id)
        answer_titles = titles()
        return render(request, "conversation.html", conv=conv, answer_titles=answer_titles,
                      turns=transcript.turns(tracker, sender_id, indexed, fixes),
                      csrf=request.ctx.staff.csrf_token, out_of_scope=training.OUT_OF_SCOPE,
                      back=request.args.get("back") or "")

    def back_to(sender_id: str, anchor: str = ""):
        return response.redirect("/conversation?" + urlencode({"id": sender_id}) + anchor, status=303)

    def known_conversation(conn, sender_id: str) -> bool:
        return conn.execute(sa.select(conversations.c.sender_id).where(conversations.c.sender_id == sender_id)).first() is not None

    @app.post("/conversation/status")
    async def set_status(request):
        sender_id, status = request.form.get("id") or "", request.form.get("status")
        if status not in queries.STATUSES:
            return response.text("Unknown status.", status=400)
        with review.begin() as conn:
            if not known_conversation(conn, sender_id):
                return response.text("No such conversation.", status=404)
            conn.execute(conversations.update().where(conversations.c.sender_id == sender_id).values(
                status=status, reviewed_by=request.ctx.staff.username if status == "reviewed" else None,
                reviewed_at=auth.now() if status == "reviewed" else None))
            audit.record(conn, request.ctx.staff.username, f"mark_{status}", sender_id)
        return back_to(sender_id)

    @app.post("/conversation/tag")
    async def tag(request):
        sender_id = request.form.get("id") or ""
        name = " ".join((request.form.get("tag") or "").lower().split())[:40]
        if not name or not set(name) <= TAG_CHARS:
            return response.text("A tag is up to 40 letters, digits, spaces, - or _.", status=400)
        with review.begin() as conn:
            if not known_conversation(conn, sender_id):
                return response.text("No such conversation.", status=404)
            conn.execute(tags.delete().where(tags.c.sender_id == sender_id, tags.c.tag == name))
            if request.form.get("remove") != "1":
                conn.execute(tags.insert().values(sender_id=sender_id, tag=name))
            audit.record(conn, request.ctx.staff.username, "untag" if request.form.get("remove") == "1" else "tag",
                         sender_id, name)
        return back_to(sender_id)

    @app.post("/conversation/note")
    async def note(request):
        sender_id = request.form.get("id") or ""
        with review.begin() as conn:
            if not known_conversation(conn, sender_id):
                return response.text("No such conversation.", status=404)
            conn.execute(conversations.update().where(conversations.c.sender_id == sender_id)
                         .values(note=(request.form.get("note") or "")[:5000]))
            audit.record(conn, request.ctx.staff.username, "note", sender_id)
        return back_to(sender_id)

    def message_of(conn, sender_id: str, event_id_text: str):
        try:
            event_id = int(event_id_text or "")
        except ValueError:
            return None
        return conn.execute(sa.select(messages).where(messages.c.event_id == event_id,
                                                      messages.c.sender_id == sender_id)).first()

    def message_and_target(conn, request, field: str):
        """(message row, chosen answer id or "out_of_scope", None), or (None, None, error response)."""
        target = request.form.get(field) or ""
        if target != training.OUT_OF_SCOPE and target not in titles():
            return None, None, response.text("Choose one of the listed answers, or out of scope.", status=400)
        message = message_of(conn, request.form.get("id") or "", request.form.get("event_id"))
        if message is None:
            return None, None, response.text("No such message.", status=404)
        return message, target, None

    @app.post("/message/wrong")
    async def mark_wrong(request):
        staff = request.ctx.staff.username
        with review.begin() as conn:
            message, target, error = message_and_target(conn, request, "right_answer")
            if error:
                return error
            conn.execute(corrections.delete().where(corrections.c.event_id == message.event_id))
            conn.execute(corrections.insert().values(event_id=message.event_id, sender_id=message.sender_id,
                                                     served_answer_id=message.answer_id, right_answer_id=target,
                                                     by=staff, at=auth.now()))
            conn.execute(conversations.update().where(conversations.c.sender_id == message.sender_id)
                         .values(marked_wrong=True))
            if not message.is_button:
                training.add_example(conn, message.text, target, staff, message.event_id)
            audit.record(conn, staff, "mark_wrong", message.sender_id, f"{message.event_id} -> {target}")
        return back_to(message.sender_id, f"#m{message.event_id}")

    @app.post("/message/example")
    async def add_example(request):
        staff = request.ctx.staff.username
        with review.begin() as conn:
            message, target, error = message_and_target(conn, request, "target")
            if error:
                return error
            text = training.clean_example(request.form.get("text") or message.text)
            if not text:
                return response.text("An example needs some text.", status=400)
            training.add_example(conn, text, target, staff, message.event_id)
            audit.record(conn, staff, "add_example", message.sender_id, f"{message.event_id} -> {target}")
        return back_to(message.sender_id, f"#m{message.event_id}")

    @app.get("/examples")
    async def examples_page(request):
        with review.connect() as conn:
            rows = conn.execute(sa.select(examples).order_by(examples.c.id.desc())).all()
        return render(request, "examples.html", rows=rows, answer_titles=titles(), csrf=request.ctx.staff.csrf_token)

    @app.post("/examples/delete")
    async def delete_example(request):
        try:
            example_id = int(request.form.get("example_id") or "")
        except ValueError:
            return response.text("No such example.", status=404)
        with review.begin() as conn:
            conn.execute(examples.delete().where(examples.c.id == example_id))
            audit.record(conn, request.ctx.staff.username, "delete_example", None, str(example_id))
        return response.redirect("/examples", status=303)

    @app.get("/examples.yml")
    async def export_examples(request):
        with review.begin() as conn:
            body = training.nlu_yaml(conn)
            audit.record(conn, request.ctx.staff.username, "export_examples")
        return response.text(body, content_type="application/x-yaml; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="review_examples.yml"'})

    @app.get("/uncovered")
    async def uncovered(request):
        indexer.sync(tracker, review)
        days = _int(request.args.get("days"), 30, 1, 3650)
        since = auth.now() - dt.timedelta(days=days)
        with review.connect() as conn:
            groups = training.uncovered_groups(conn, load_pipeline(), since)
        return render(request, "uncovered.html", groups=groups[:100], days=days)

    @app.get("/dashboard")
    async def dashboard_page(request):
        indexer.sync(tracker, review)
        today = auth.now().date()
        end = queries.parse_date(request.args.get("to")) or today
        start = queries.parse_date(request.args.get("from")) or end - dt.timedelta(days=29)
        if start > end or (end - start).days > 366:
            start = end - dt.timedelta(days=29)
        with review.connect() as conn:
            figures = dashboard.figures(conn, start, end)
        charts = {key: dashboard.bars(figures[key]) for key in
                  ("per_day_conversations", "per_day_messages", "per_day_emergencies")}
        return render(request, "dashboard.html", f=figures, charts=charts, answer_titles=titles())

    @app.get("/conversations/export.csv")
    async def export_csv(request):
        return export(request, "csv")

    @app.get("/conversations/export.json")
    async def export_json(request):
        return export(request, "json")

    def export(request, fmt: str):
        indexer.sync(tracker, review)
        filters = queries.Filters.from_args(request.args)
        with review.begin() as conn:
            rows = queries.export_rows(conn, filters)
            ids = [r["sender_id"] for r in rows]
            by_sender = queries.message_rows(conn, ids)
            tag_map = queries.tags_of(conn, ids)
            audit.record_export(conn, request.ctx.staff.username, f"export_{fmt}", ids, filters.query_args(page=1))
        name = f"conversations-{auth.now():%Y%m%d-%H%M%S}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "json":
            body = [_conversation_json(r, by_sender.get(r["sender_id"], []), tag_map.get(r["sender_id"], []))
                    for r in rows]
            return response.text(json.dumps(body, ensure_ascii=False, indent=1),
                                 content_type="application/json; charset=utf-8", headers=headers)
        return response.text(_csv(rows, by_sender, tag_map), content_type="text/csv; charset=utf-8", headers=headers)

    @app.get("/audit")
    @admin_only
    async def audit_page(request):
        with review.connect() as conn:
            rows = audit.recent(conn, sender_id=request.args.get("id") or None)
        return render(request, "audit.html", rows=rows)

    app.static("/static/review.css", str(STATIC_DIR / "review.css"), name="review_css")
    return app


def _same_origin(request) -> bool:
    # Browsers send Origin on POST: a form posted from another site is refused even with a stolen token.
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.scheme}://{request.host}"


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(int(value), high))
    except (TypeError, ValueError):
        return default


def _conversation_json(conv: dict, msgs: list, tag_list: list) -> dict:
    return {"conversation": conv["sender_id"], "channel": conv["channel"],
            "started_at": conv["started_at"].isoformat(), "last_at": conv["last_at"].isoformat(),
            "status": conv["status"], "tags": tag_list, "note": conv["note"],
            "min_confidence": conv["min_confidence"],
            "outcomes": [name[4:] for name in conv if name.startswith("has_") and conv[name]],
            "negative_feedback": conv["negative_feedback"], "marked_wrong": conv["marked_wrong"],
            "messages": [{"at": m["at"].isoformat(), "text": m["text"], "button": m["is_button"],
                          "intent": m["intent"], "confidence": m["confidence"], "answer": m["answer_id"],
                          "outcome": m["outcome"], "feedback": m["feedback"]} for m in msgs]}


def _cell(value) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ would run as a formula when opened.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows, by_sender, tag_map) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["conversation", "channel", "status", "tags", "time", "message", "outcome", "answer",
                     "confidence", "feedback"])
    for conv in rows:
        for m in by_sender.get(conv["sender_id"], []):
            writer.writerow([_cell(v) for v in (conv["sender_id"], conv["channel"], conv["status"],
                                                " ".join(tag_map.get(conv["sender_id"], [])), m["at"].isoformat(),
                                                m["text"], m["outcome"], m["answer_id"],
                                                "" if m["confidence"] is None else f"{m['confidence']:.3f}",
                                                m["feedback"])])
    return out.getvalue()
