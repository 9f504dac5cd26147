"""The editor's pages of the staff app, over real HTTP against a real app process: importing an article
(HTML of a page, through inscriptis), vetting its passages, and what is refused. The content folder is
a copy of data/content in a temporary folder; the checks are the ones `make content` runs."""
import datetime as dt
import html
import os
import shutil
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa
import yaml

from content.files import load_content
from scripts.stack import ROOT, wait_for
from scripts.staff_client import StaffClient

PASSWORD = "correct horse battery staple"
PORT = 16490
XSS = "<img src=x onerror=alert(1)>"
PAGE = f"""<html><head><title>Trials</title><script>alert(1)</script></head><body>
<nav>Home &gt; Treatment</nav>
<h1>Clinical trials, plainly</h1>
<p>A clinical trial is a research study that involves people. It tests new ways to treat cancer.</p>
<h2>Placebos {html.escape(XSS)}</h2>
<p>A placebo is an inactive substance that looks like a real medicine. In cancer trials it is rarely given on its own.</p>
<ul><li>Ask whether the trial uses a placebo.</li><li>Ask what happens if the treatment stops working.</li></ul>
</body></html>"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("editor")
    shutil.copytree(ROOT / "data" / "content", tmp / "content")
    env = dict(os.environ, MBC_CONTENT_DIR=str(tmp / "content"), MBC_CONTENT_DB_URL=f"sqlite:///{tmp / 'content.db'}",
               MBC_TRACKER_DB_URL=f"sqlite:///{tmp / 'tracker.db'}", MBC_REVIEW_DB_URL=f"sqlite:///{tmp / 'review.db'}",
               MBC_REVIEW_PORT=str(PORT), MBC_STATE_DIR=str(tmp), MBC_REVIEW_PASSWORD=PASSWORD)
    for user, role in (("rita", "reviewer"), ("eddie", "editor")):
        subprocess.run([sys.executable, "-m", "review", "create-user", user, "--role", role], cwd=ROOT, env=env,
                       check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "review", "serve"], cwd=ROOT, env=env,
                            stdout=open(tmp / "review.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{PORT}/login", 60, proc)
        yield {"url": f"http://127.0.0.1:{PORT}", "content": tmp / "content", "review_url": env["MBC_REVIEW_DB_URL"],
               "log": tmp / "review.log"}
    finally:
        proc.terminate()
        proc.wait(20)


def signed_in(app, user):
    client = StaffClient(app["url"])
    assert client.login(user, PASSWORD).status == 303
    return client


def imported(app, editor, title):
    response = editor.post("/articles/import", {
        "title": title, "publisher": "Example Network (test)", "canonical_url": "https://example.org/trials",
        "retrieved_on": "2026-12-02", "format": "html", "body": PAGE})
    assert response.status == 303, response.text
    return response.headers["Location"].split("id=", 1)[1]


def answers_doc(app, article_id):
    return yaml.safe_load((app["content"] / "answers" / f"{article_id}.yml").read_text())


def passage(editor, article_id, answer, op, **fields):
    return editor.post("/article/passage", {"id": article_id, "answer": answer, "op": op, **fields})


def test_a_reviewer_cannot_open_or_change_the_articles(app):
    reviewer = signed_in(app, "rita")
    assert reviewer.get("/articles").status == 403
    assert reviewer.post("/articles/import", {"title": "x", "body": "y"}).status == 403
    assert reviewer.post("/articles/publish", {}).status == 403
    assert "/articles" not in reviewer.get("/conversations").text  # not in the menu either


def test_an_html_page_becomes_an_article_with_draft_passages_by_section(app, nlp):
    editor = signed_in(app, "eddie")
    article_id = imported(app, editor, "Clinical trials, plainly")
    content = load_content(nlp, app["content"])
    article = content.articles[article_id]
    assert [s["title"] for s in article.meta["sections"]] == ["Introduction", f"Placebos {XSS}"]
    mine = [a for a in content.answers.values() if a.article_id == article_id]
    assert [a.status for a in mine] == ["draft"] * 3
    assert mine[2].text == "• Ask whether the trial uses a placebo.\n• Ask what happens if the treatment stops working."
    assert "alert(1)" not in article.text.replace(XSS, "")  # the page's script is not article text
    page = editor.get(f"/article?id={article_id}").text
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert editor.get("/articles").text.count("Clinical trials, plainly") == 1


def test_vetting_steps_are_checked_recorded_and_kept_in_the_files(app, nlp):
    editor = signed_in(app, "eddie")
    article_id = imported(app, editor, f"Trials {uuid.uuid4().hex[:6]}")
    first, second, third = [a["id"] for a in answers_doc(app, article_id)["answers"]]

    refused = passage(editor, article_id, first, "approve")
    assert refused.status == 400 and "title" in refused.text  # no approval without a question-style title
    assert passage(editor, article_id, first, "title", title="What is a clinical trial?").status == 303
    assert passage(editor, article_id, first, "approve").status == 303
    assert passage(editor, article_id, second, "split", after="1").status == 303
    assert passage(editor, article_id, third, "leave_out", reason="a list of tips, not an answer").status == 303
    taken = passage(editor, article_id, second, "title", title="What is a clinical trial?")
    assert taken.status == 400 and "already" in taken.text  # titles stay unambiguous across the library

    doc = answers_doc(app, article_id)
    vetted = doc["answers"][0]
    assert vetted["vetting"]["status"] == "approved" and vetted["vetting"]["vetted_by"] == "eddie"
    assert vetted["vetting"]["vetted_on"] == dt.date.today()
    assert [a["text"] for a in doc["answers"][1:]] == [
        "A placebo is an inactive substance that looks like a real medicine.",
        "In cancer trials it is rarely given on its own."]
    assert doc["not_answered"][0]["reason"] == "a list of tips, not an answer"
    load_content(nlp, app["content"])  # the files as written pass `make content`'s checks

    engine = sa.create_engine(app["review_url"], future=True)
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.text(
            "SELECT action FROM review_audit_log WHERE username = 'eddie' AND detail LIKE :a ORDER BY id"),
            {"a": f"%{article_id}%"})]
    engine.dispose()
    assert actions == ["article_import", "passage_title", "passage_approve", "passage_split", "passage_leave_out"]


def test_an_import_the_checks_refuse_changes_nothing(app):
    editor = signed_in(app, "eddie")
    imported(app, editor, "Trials twice")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in app["content"].rglob("*"))
    bad = editor.post("/articles/import", {"title": "No address", "publisher": "P", "canonical_url": "ftp://x",
                                           "retrieved_on": "2026-12-02", "format": "text", "body": "Some text."})
    assert bad.status == 400 and "address" in bad.text and "Go back" in bad.text
    again = editor.post("/articles/import", {"title": "Trials twice", "publisher": "P",
                                             "canonical_url": "https://example.org/x", "retrieved_on": "2026-12-02",
                                             "format": "text", "body": "Some other text here."})
    assert again.status == 400 and "already" in again.text  # one article per title
    no_date = editor.post("/articles/import", {"title": "Dated", "publisher": "P", "canonical_url": "https://e.org/d",
                                               "retrieved_on": "yesterday", "format": "text", "body": "Text."})
    assert no_date.status == 400
    assert sorted((p.name, p.stat().st_mtime_ns) for p in app["content"].rglob("*")) == before
