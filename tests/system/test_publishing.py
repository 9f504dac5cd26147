"""Publishing without a restart, on real processes: two Rasa servers and two action servers behind
Debian's nginx, conversations in PostgreSQL, the lock in Redis, and nginx as Rasa's model server.

A second article (the test fixture: fictional publisher, never served outside the tests) is added as
files, with the fixture's five example questions per answer standing in for examples staff accepted,
and published (editorial/publish.py: check, content store, train, hand over). Each Rasa server must pick the new model up by itself, through its `models:` endpoint, and answer
a question about the new article with its passage and its own article's link; a conversation begun
before publishing carries on, every turn stored once and in order."""
import time
import uuid

import pytest

from content.files import join_content, load_content
from content.links import passage_link
from content.load import sync
from content.store import create_schema, get_engine
from editorial.publish import MODEL_NAME, publish
from scripts.pg import temporary_database
from scripts.scaleout import running_scaleout
from scripts.stack import ROOT
from tests.conftest import POSTGRES_ADMIN_URL, REDIS_URL
from tests.conversation_log import expected, say, stored

FIXTURE = ROOT / "tests" / "fixtures" / "content"
EXAMPLES = FIXTURE / "trials_examples.yml"
NEW_ANSWER = "placebo_in_cancer_trials"
QUESTION = "What is a placebo?"
STABLE_DISEASE = "This is called stable disease."
PULL_SECONDS = 2


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, content, redis_prefix):
    tmp = tmp_path_factory.mktemp("publishing")
    content_url = f"sqlite:///{tmp / 'content.db'}"
    create_schema(get_engine(content_url))
    sync(content, get_engine(content_url))  # the first article only, as `make content` loads it
    with temporary_database("mbc_publish", POSTGRES_ADMIN_URL) as db_url, \
            running_scaleout(tmp, [16301, 16302], [16351, 16352], public_port=16380, actions_port=16381,
                             models_port=16382, MBC_TRACKER_DB_URL=db_url, MBC_REDIS_URL=REDIS_URL,
                             MBC_REDIS_PREFIX=redis_prefix, MBC_CONTENT_DB_URL=content_url,
                             MBC_MODEL_PULL_SECONDS=str(PULL_SECONDS)) as running:
        running.db_url, running.content_url, running.tmp = db_url, content_url, tmp
        yield running


def served(replies, text):
    return any(text in (r or "") for r in replies)


def test_a_published_article_is_answered_by_every_server_without_a_restart(cluster, nlp):
    library = join_content(cluster.tmp / "library", ROOT / "data" / "content", FIXTURE)
    answer = load_content(nlp, library).answers[NEW_ANSWER]
    article = load_content(nlp, FIXTURE).articles[answer.article_id]
    link = passage_link(article.meta["canonical_url"], answer.text)
    rasa1, rasa2 = cluster.rasa_urls
    started = {cluster.procs[name].pid for name in ("rasa1", "rasa2")}

    sender = f"publish-{uuid.uuid4().hex[:8]}"
    turns = [(t, say(url, sender, t)) for url, t in ((rasa1, "hello"), (rasa2, QUESTION))]
    assert not served(turns[1][1], answer.text), "the new article is not served before it is published"

    done = publish(library, cluster.content_url, cluster.tmp / "published", extra_data=[EXAMPLES])
    assert done.model == cluster.tmp / "published" / MODEL_NAME and done.approved == done.answers

    for url in (rasa1, rasa2):
        deadline, replies = time.monotonic() + 120, []
        while time.monotonic() < deadline:
            replies = say(url, f"after-{uuid.uuid4().hex[:8]}", QUESTION)
            if served(replies, answer.text):
                break
            time.sleep(PULL_SECONDS)
        assert served(replies, answer.text), (url, replies)
        assert served(replies, link) and served(replies, article.meta["publisher"]), replies
        assert not served(replies, "what-makes-metastatic-breast-cancer-different"), "its own article's link"
        titles = [load_content(nlp, library).articles[a].meta["title"] for a in sorted(load_content(nlp, library).articles)]
        assert served(replies[:1], f"the articles “{titles[0]}” and “{titles[1]}”"), "the disclaimer names both"

    # The conversation begun before publishing carries on, on both servers, nothing lost or repeated.
    turns += [(t, say(url, sender, t)) for url, t in ((rasa1, "what is stable disease"), (rasa2, QUESTION))]
    assert served(turns[2][1], STABLE_DISEASE) and served(turns[3][1], answer.text)
    assert stored(cluster.db_url, sender) == expected(turns)
    assert {cluster.procs[name].pid for name in ("rasa1", "rasa2")} == started
    assert all(cluster.procs[name].poll() is None for name in ("rasa1", "rasa2")), "no server restarted"


def test_the_model_server_answers_only_the_model_and_says_when_it_is_unchanged(cluster):
    import urllib.error
    import urllib.request

    url = "http://127.0.0.1:16382/models/" + MODEL_NAME
    with urllib.request.urlopen(url, timeout=30) as resp:
        etag = resp.headers["ETag"]
        assert resp.status == 200 and etag and len(resp.read()) > 1_000_000
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        urllib.request.urlopen(urllib.request.Request(url, headers={"If-None-Match": etag}), timeout=30)
    assert unchanged.value.code == 304  # what each Rasa server gets on its pulls until a new model
    for other in ("/", "/models/", "/models/../content.db", "/tracker.db"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen("http://127.0.0.1:16382" + other, timeout=30)
        assert refused.value.code in (400, 404), other


# --- An editor in a real browser ------------------------------------------------------------------------

BROWSER_TITLE = "Clinical trials in brief (browser test)"
BROWSER_URL = "https://example.org/browser-test/clinical-trials-in-brief"
PLACEBO = "A placebo is an inactive substance"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def staff_app(cluster, tmp_path_factory):
    import os
    import shutil
    import subprocess
    import sys

    from scripts.stack import wait_for

    tmp = tmp_path_factory.mktemp("publishing-staff")
    shutil.copytree(ROOT / "data" / "content", tmp / "content")
    env = dict(os.environ, MBC_CONTENT_DIR=str(tmp / "content"), MBC_CONTENT_DB_URL=cluster.content_url,
               MBC_PUBLISH_DIR=str(cluster.tmp / "published"), MBC_TRACKER_DB_URL=cluster.db_url,
               MBC_REVIEW_DB_URL=f"sqlite:///{tmp / 'review.db'}", MBC_REVIEW_PORT="16395", MBC_STATE_DIR=str(tmp),
               MBC_REVIEW_PASSWORD=PASSWORD)
    subprocess.run([sys.executable, "-m", "review", "create-user", "eddie", "--role", "editor"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "review", "serve"], cwd=ROOT, env=env,
                            stdout=open(tmp / "review.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_for("http://127.0.0.1:16395/login", 60, proc)
        yield {"url": "http://localhost:16395", "review_url": env["MBC_REVIEW_DB_URL"], "content": tmp / "content"}
    finally:
        proc.terminate()
        proc.wait(20)


def accept_examples(review_url, answer_id):
    """The fixture's five example questions for the placebo passage, accepted as staff accept real
    questions in the review app (review/training.py, the store the app's publishing trains on)."""
    import sqlalchemy as sa
    import yaml

    from review.training import add_example
    nlu = yaml.safe_load(EXAMPLES.read_text())["nlu"]
    texts = next(b["examples"] for b in nlu if b["intent"] == "faq/placebo_in_cancer_trials")
    engine = sa.create_engine(review_url, future=True)
    with engine.begin() as conn:
        for line in texts.splitlines():
            add_example(conn, line[2:], answer_id, "rita")
    engine.dispose()


def test_an_editor_imports_vets_and_publishes_in_a_browser_and_every_server_answers(cluster, staff_app, nlp):
    from playwright.sync_api import expect, sync_playwright

    from tests.system.test_widget_browser import CHROMIUM, CHROMIUM_ARGS
    text = (FIXTURE / "articles" / "clinical-trials-for-metastatic-breast-cancer.txt").read_text()
    body = "\n".join(text.splitlines()[3:])  # below the breadcrumb and the title line
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(staff_app["url"] + "/login")
        page.get_by_label("Username").fill("eddie")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Articles").click()
        page.get_by_label("Title").fill(BROWSER_TITLE)
        page.get_by_label("Publisher").fill("Example Breast Cancer Network (test fixture)")
        page.get_by_label("Page address").fill(BROWSER_URL)
        page.get_by_label("plain text").check()
        page.get_by_label("Article", exact=True).fill(body)
        page.get_by_role("button", name="Import as drafts").click()
        expect(page.get_by_role("heading", name=BROWSER_TITLE, exact=True)).to_be_visible()

        placebo = page.locator("section.passage").filter(has_text=PLACEBO)
        answer_id = placebo.get_attribute("id")
        placebo.get_by_label("Title").fill("What is a placebo in a cancer trial?")
        placebo.get_by_role("button", name="Save title").click()
        placebo = page.locator(f"section#{answer_id}")
        placebo.get_by_role("button", name="Approve").click()
        expect(page.locator(f"section#{answer_id} .status")).to_have_text("approved")

        accept_examples(staff_app["review_url"], answer_id)
        page.get_by_role("link", name="All articles").click()
        page.get_by_role("button", name="Publish the library").click()
        status = page.get_by_role("status")
        deadline = time.monotonic() + 600
        while "running" in status.inner_text() and time.monotonic() < deadline:
            time.sleep(5)
            page.reload()
        expect(status).to_contain_text("done")
        browser.close()

    served_text = next(a.text for a in load_content(nlp, staff_app["content"]).answers.values() if a.id == answer_id)
    link = passage_link(BROWSER_URL, served_text)
    for url in cluster.rasa_urls:
        deadline, replies = time.monotonic() + 120, []
        while time.monotonic() < deadline:
            replies = say(url, f"browser-{uuid.uuid4().hex[:8]}", QUESTION)
            if served(replies, link):
                break
            time.sleep(PULL_SECONDS)
        assert served(replies, served_text) and served(replies, link), (url, replies)
        assert served(replies[:1], BROWSER_TITLE), "the disclaimer names the library as published"
