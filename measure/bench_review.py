"""Benchmark of the staff review app's conversation list at scale (`make bench-review`).

Generates N conversations (default 100,000) into the review tables of a fresh database, starts the
real app, signs in over HTTP and times list pages (median and p95 of repeated requests), then times
the indexer on generated Rasa events. SQLite by default; --postgres URL for a PostgreSQL server
(a fresh database is created there and dropped afterwards). --indexer-only times the indexer alone.

The indexer's messages are patients' own words, as varied as real ones: the project's NLU examples
(data/nlu) and the redaction validation messages (tests/tuning/redaction_validation*.jsonl, which
carry names, numbers and addresses), drawn at random, so redaction does the work it does on real logs.
"""
import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from content.store import get_engine
from name_finder.name_data import nlu_messages
from privacy import parallel
from privacy.redact import get_redactor
from review import indexer
from review.generate import count, fill_events, fill_review_tables
from review.schema import conversations, create_review_schema, messages
from scripts.pg import temporary_database
from scripts.stack import ROOT, wait_for
from scripts.staff_client import StaffClient

PASSWORD = "bench-password-" + uuid.uuid4().hex[:8]


def pages(today: dt.date):
    week = (today - dt.timedelta(days=7)).isoformat()
    return [
        ("newest first, page 1", "/conversations"),
        ("fell short in the last week", f"/conversations?outcome=fell_short&from={week}"),
        ("emergencies", "/conversations?outcome=emergency"),
        ("negative feedback, not reviewed", "/conversations?feedback=negative&status=new"),
        ("lowest confidence first", "/conversations?sort=lowest_confidence"),
        ("channel + date range", f"/conversations?channel=telegram&from={week}&to={today.isoformat()}"),
        ("tag", "/conversations?tag=content+gap"),
        ("free-text search", "/conversations?q=clinical+trial"),
        ("page 1000", "/conversations?page=1000"),
        ("dashboard, 30 days", "/dashboard"),
    ]


def timed(client: StaffClient, path: str, repeats: int):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
    return statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1]


def run(db_url: str, n: int, repeats: int, port: int, workdir: Path) -> None:
    review = get_engine(db_url)
    create_review_schema(review)
    start = time.perf_counter()
    fill_review_tables(review, n)
    print(f"generated {count(review, conversations):,} conversations, {count(review, messages):,} messages "
          f"in {time.perf_counter() - start:.0f} s ({db_url.split(':')[0]})")
    if db_url.startswith("postgresql"):
        with review.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    env = dict(os.environ, MBC_REVIEW_DB_URL=db_url, MBC_TRACKER_DB_URL=f"sqlite:///{workdir / 'tracker.db'}",
               MBC_REVIEW_PORT=str(port), MBC_STATE_DIR=str(workdir), MBC_REVIEW_PASSWORD=PASSWORD)
    subprocess.run([sys.executable, "-m", "review", "create-user", "bench", "--role", "admin"], cwd=ROOT,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    app = subprocess.Popen([sys.executable, "-m", "review", "serve"], cwd=ROOT, env=env,
                           stdout=open(workdir / "review.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/login", 60, app)
        client = StaffClient(f"http://127.0.0.1:{port}")
        if client.login("bench", PASSWORD).status != 303:
            raise RuntimeError("could not sign in")
        print(f"\n{'page':40} {'median ms':>10} {'p95 ms':>8}   ({repeats} requests each, over HTTP)")
        for name, path in pages(dt.date.today()):
            median, p95 = timed(client, path, repeats)
            print(f"{name:40} {median:10.1f} {p95:8.1f}")
    finally:
        app.terminate()
        app.wait(20)
    time_indexer(workdir)


def patients_messages():
    """The NLU examples and the redaction validation messages (see the module's docstring)."""
    texts = nlu_messages()
    for path in sorted((ROOT / "tests" / "tuning").glob("redaction_validation*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def time_indexer(workdir: Path, conversations: int = 2000) -> float:
    """Events a second through the indexer, its redaction workers started first, as the app starts them
    when it starts (privacy.parallel; MBC_REDACT_WORKERS=1 for one process)."""
    started = time.perf_counter()
    get_redactor()  # small batches are redacted in this process
    parallel.start()
    print(f"\nredaction workers: {parallel.workers()} (started in {time.perf_counter() - started:.1f} s, before timing)")
    texts = patients_messages()
    events_url = f"sqlite:///{workdir / 'events.db'}"
    n_events = fill_events(get_engine(events_url), conversations, texts)
    target = get_engine(f"sqlite:///{workdir / 'index.db'}")
    create_review_schema(target)
    start = time.perf_counter()
    indexer.sync(get_engine(events_url), target)
    seconds = time.perf_counter() - start
    print(f"\nindexer: {n_events:,} Rasa events of {conversations:,} conversations ({len(texts):,} different "
          f"patients' messages) in {seconds:.1f} s ({n_events / seconds:,.0f} events/s, redaction included)")
    return n_events / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--port", type=int, default=19590)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--indexer-only", action="store_true", help="time the indexer alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        workdir = Path(tmp)
        if args.indexer_only:
            time_indexer(workdir)
            return
        if not args.postgres:
            run(f"sqlite:///{workdir / 'review.db'}", args.conversations, args.repeats, args.port, workdir)
            return
        with temporary_database("mbc_bench_review", args.postgres) as url:
            run(url, args.conversations, args.repeats, args.port, workdir)


if __name__ == "__main__":
    main()
