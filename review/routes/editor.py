"""The editor's pages: the library of articles, importing one, vetting its passages, publishing.

The content folder (MBC_CONTENT_DIR) is the one source of truth: every change here goes through
editorial/drafts.py (checked like `make content`, files renamed into place) and is written to the
audit log; publishing (editorial/publish.py) loads the content store, which keeps each vetting change,
trains, and hands the model to the running Rasa servers. Editors and admins only.
"""
import datetime as dt
import tempfile
import threading
import time
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

from sanic import Blueprint, response

from content.files import ContentError, content_dir, load_content
from editorial import drafts
from editorial.importing import ImportError_, Supplied, html_body
from review import audit, training
from review.blocking import off_loop
from review.routes.common import Deps
from understanding.spacy_pipeline import load_pipeline

OPERATIONS = ("title", "approve", "merge", "split", "leave_out", "retire")


def editors_only(handler):
    @wraps(handler)
    async def wrapped(request, *args, **kwargs):
        if not request.ctx.staff.is_editor:
            return response.text("Only editors can open this page.", status=403)
        return await handler(request, *args, **kwargs)
    return wrapped


class Publishing:
    """The one publishing run at a time, in a thread beside the app (training takes a minute or two)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state = {"status": "idle", "by": "", "started": None, "finished": None, "message": ""}

    def start(self, deps: Deps, by: str) -> bool:
        with self.lock:
            if self.state["status"] == "running":
                return False
            self.state = {"status": "running", "by": by, "started": dt.datetime.utcnow(), "finished": None,
                          "message": ""}
        threading.Thread(target=self._run, args=(deps,), daemon=True).start()
        return True

    def _run(self, deps: Deps) -> None:
        from editorial.publish import publish
        started = time.monotonic()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                examples = Path(tmp) / "staff_examples.yml"  # what staff accepted feeds this training
                with deps.review.connect() as conn:
                    examples.write_text(training.nlu_yaml(conn), encoding="utf-8")
                done = publish(extra_data=[examples])
            status, message = "done", (f"{done.approved} approved passages published in "
                                       f"{time.monotonic() - started:.0f} s")
        except ContentError as exc:
            status, message = "failed", "; ".join(exc.problems)
        except Exception as exc:  # shown to the editor; the servers keep the model they have
            status, message = "failed", str(exc)[-2000:]
        with self.lock:
            self.state.update(status=status, finished=dt.datetime.utcnow(), message=message)
        with deps.review.begin() as conn:
            audit.record(conn, self.state["by"], f"publish_{status}", detail=message)


def library_rows(root: Path):
    content = load_content(load_pipeline(), root)
    rows = []
    for article in sorted(content.articles.values(), key=lambda a: a.meta["title"]):
        statuses = [a.status for a in content.answers.values() if a.article_id == article.id]
        rows.append({"id": article.id, "title": article.meta["title"], "publisher": article.meta["publisher"],
                     "url": article.meta["canonical_url"], "retrieved_on": article.meta["retrieved_on"],
                     **{s: statuses.count(s) for s in ("draft", "approved", "retired")}})
    return rows


def article_view(root: Path, article_id: str):
    nlp = load_pipeline()
    content = load_content(nlp, root)
    article = content.articles.get(article_id)
    if article is None:
        return None
    sections = {s["id"]: s["title"] for s in article.meta["sections"]}
    answers = sorted((a for a in content.answers.values() if a.article_id == article_id),
                     key=lambda a: a.unit_indices[0])
    from content.article import split_answer
    passages = [{"answer": a, "section": sections[a.section_id], "units": len(split_answer(nlp, a.text))}
                for a in answers]
    left_out = [n for n in content.not_answered if n["article_id"] == article_id]
    return {"article": article, "passages": passages, "left_out": left_out}


def blueprint(deps: Deps) -> Blueprint:
    bp = Blueprint("editor")
    publishing = Publishing()

    @bp.get("/articles")
    @editors_only
    async def articles(request):
        rows = await off_loop(library_rows, content_dir())
        return deps.render(request, "articles.html", rows=rows, publishing=publishing.state,
                           csrf=request.ctx.staff.csrf_token, today=dt.date.today().isoformat())

    @bp.post("/articles/import")
    @editors_only
    async def import_article(request):
        form = request.form
        try:
            retrieved_on = dt.date.fromisoformat(form.get("retrieved_on") or "")
        except ValueError:
            return _refused(deps, request, "Give the date the article was retrieved (YYYY-MM-DD).", "/articles")
        body, headings = (form.get("body") or ""), None
        try:
            if form.get("format") == "html":
                body, headings = html_body(body)
            supplied = Supplied(form.get("title") or "", form.get("publisher") or "", form.get("canonical_url") or "",
                                retrieved_on, body, headings, form.get("breadcrumb") or "")
            article_id = await off_loop(_import, deps, supplied, request.ctx.staff.username, exclusive=True)
        except (ImportError_, drafts.EditError) as exc:
            return _refused(deps, request, str(exc), "/articles")
        return response.redirect("/article?" + urlencode({"id": article_id}), status=303)

    @bp.get("/article")
    @editors_only
    async def article(request):
        view = await off_loop(article_view, content_dir(), request.args.get("id") or "")
        if view is None:
            return response.text("No such article.", status=404)
        return deps.render(request, "article.html", csrf=request.ctx.staff.csrf_token, **view)

    @bp.post("/article/passage")
    @editors_only
    async def passage(request):
        form = request.form
        article_id, answer_id, operation = form.get("id") or "", form.get("answer") or "", form.get("op")
        if operation not in OPERATIONS:
            return response.text("Unknown change.", status=400)
        back = "/article?" + urlencode({"id": article_id})
        try:
            await off_loop(_change, deps, article_id, answer_id, operation, form, request.ctx.staff.username,
                           exclusive=True)
        except drafts.EditError as exc:
            return _refused(deps, request, str(exc), back)
        return response.redirect(back + f"#{answer_id}", status=303)

    @bp.post("/articles/publish")
    @editors_only
    async def publish(request):
        if publishing.start(deps, request.ctx.staff.username):
            await off_loop(_audit, deps, request.ctx.staff.username, "publish_started", "")
        return response.redirect("/articles", status=303)

    return bp


def _refused(deps, request, message: str, back: str):
    return deps.render(request, "refused.html", status=400, message=message, back=back)


def _audit(deps: Deps, username: str, action: str, detail: str) -> None:
    with deps.review.begin() as conn:
        audit.record(conn, username, action, detail=detail)


def _import(deps: Deps, supplied: Supplied, username: str) -> str:
    article_id = drafts.import_article(load_pipeline(), supplied)
    _audit(deps, username, "article_import", f"{article_id}: {supplied.title} ({supplied.canonical_url})")
    return article_id


def _change(deps: Deps, article_id: str, answer_id: str, operation: str, form, username: str) -> None:
    nlp, today = load_pipeline(), dt.date.today()
    changes = {
        "title": lambda d: drafts.set_title(d, answer_id, form.get("title") or ""),
        "approve": lambda d: drafts.approve(d, answer_id, username, today),
        "retire": lambda d: drafts.retire(d, answer_id, username, today),
        "merge": lambda d: drafts.merge_with_next(d, answer_id),
        "split": lambda d: drafts.split(nlp, d, answer_id, _int(form.get("after"))),
        "leave_out": lambda d: drafts.leave_out(nlp, d, answer_id, form.get("reason") or ""),
    }
    drafts.edit(nlp, article_id, changes[operation])
    detail = {"title": form.get("title"), "leave_out": form.get("reason"), "split": form.get("after")}.get(operation)
    _audit(deps, username, f"passage_{operation}", f"{article_id}/{answer_id}" + (f": {detail}" if detail else ""))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
