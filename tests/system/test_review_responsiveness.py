"""The staff review app keeps answering pages while a large export is being built (the export's database
reads and file building run off Sanic's event loop), over real HTTP, in SQLite and in PostgreSQL."""
import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from content.load import sync as load_store
from content.store import create_schema, get_engine
from review.generate import fill_review_tables
from review.schema import create_review_schema
from scripts.stack import ROOT, wait_for
from scripts.staff_client import StaffClient
from tests.system.test_review import module_postgres_url  # noqa: F401 (a fixture)

PORTS = {"sqlite": 19420, "postgresql": 19430}
PASSWORD = "busy-test-" + uuid.uuid4().hex[:10]
CONVERSATIONS = 40000  # about 180,000 messages: an export of several seconds (20,000 took under 2 s on a fast day)
# The pages staff work from: the list, and a filtered list. The dashboard (an aggregate over every
# conversation, CPU-bound like the export) took 1.2 s once in CI beside a JSON export on SQLite, the two
# sharing Python's lock: it is left out rather than allowed more than the second.
PAGES = ["/conversations", "/conversations?outcome=fell_short&sort=lowest_confidence"]
PAGE_LIMIT = 1.0  # seconds


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def busy_app(request, tmp_path_factory, content):
    """The review app on review tables holding CONVERSATIONS generated conversations."""
    kind = request.param
    tmp = tmp_path_factory.mktemp(f"review-busy-{kind}")
    if kind == "sqlite":
        tracker_url, review_url = f"sqlite:///{tmp / 'tracker.db'}", f"sqlite:///{tmp / 'review.db'}"
    else:
        tracker_url = review_url = request.getfixturevalue("module_postgres_url")
    content_url = f"sqlite:///{tmp / 'content.db'}"
    create_schema(get_engine(content_url))
    load_store(content, get_engine(content_url))
    engine = sa.create_engine(review_url, future=True)
    create_review_schema(engine)
    fill_review_tables(engine, CONVERSATIONS)
    if kind == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    port = PORTS[kind]
    env = dict(os.environ, MBC_TRACKER_DB_URL=tracker_url, MBC_REVIEW_DB_URL=review_url,
               MBC_CONTENT_DB_URL=content_url, MBC_REVIEW_PORT=str(port), MBC_STATE_DIR=str(tmp),
               MBC_REVIEW_PASSWORD=PASSWORD)
    for user, role in (("rita", "reviewer"), ("ada", "admin")):
        subprocess.run([sys.executable, "-m", "review", "create-user", user, "--role", role], cwd=ROOT, env=env,
                       check=True, capture_output=True)
    app = subprocess.Popen([sys.executable, "-m", "review", "serve"], cwd=ROOT, env=env,
                           stdout=open(tmp / "review.log", "w"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/login", 60, app)
        yield {"url": base, "kind": kind}
    finally:
        app.terminate()
        app.wait(20)


def signed_in(url: str, user: str) -> StaffClient:
    client = StaffClient(url)
    assert client.login(user, PASSWORD).status == 303
    return client


def exported_conversations(fmt: str, text: str) -> set:
    if fmt == "json":
        return {c["conversation"] for c in json.loads(text)}
    return {row["conversation"] for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_pages_answer_within_a_second_while_a_large_export_runs(busy_app, fmt):
    exporter, reader = signed_in(busy_app["url"], "ada"), signed_in(busy_app["url"], "rita")
    for path in PAGES:  # warm: a first page reads the content store
        assert reader.get(path).status == 200

    export = {}

    def run_export():
        start = time.monotonic()
        response = exporter.get(f"/conversations/export.{fmt}", timeout=300)
        export.update(start=start, end=time.monotonic(), response=response)

    thread = threading.Thread(target=run_export)
    thread.start()
    time.sleep(0.3)  # the request has reached the app, which is now reading and writing the export
    pages = []  # (path, seconds to answer, status, export still running when the page had answered)
    while thread.is_alive():
        path = PAGES[len(pages) % len(PAGES)]
        started = time.monotonic()
        response = reader.get(path, timeout=300)
        pages.append((path, time.monotonic() - started, response.status, thread.is_alive()))
        time.sleep(0.1)
    thread.join()

    response = export["response"]
    assert response.status == 200
    assert len(exported_conversations(fmt, response.text)) == CONVERSATIONS
    duration = export["end"] - export["start"]
    during = [p for p in pages if p[3]]
    print(f"\n{busy_app['kind']} {fmt} export: {duration:.2f} s, {len(response.body) / 1e6:.1f} MB; pages during "
          f"it: {len(during)}, slowest {max((p[1] for p in during), default=0):.3f} s, "
          f"median {sorted(p[1] for p in during)[len(during) // 2] if during else 0:.3f} s")
    assert all(status == 200 for _, _, status, _ in pages)
    slow = [(path, round(seconds, 3)) for path, seconds, _, _ in pages if seconds >= PAGE_LIMIT]
    assert not slow, f"pages slower than {PAGE_LIMIT} s during a {duration:.1f} s export: {slow}"
    # Not vacuous: the export took a while and was still running when pages answered (on a loop blocked
    # by the export, the first page would answer only once the export was done).
    assert duration > 2 * PAGE_LIMIT
    assert len(during) >= 2, pages
