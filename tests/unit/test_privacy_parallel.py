"""Redaction on several worker processes (privacy.parallel), as the review indexer uses it for large
batches: the same text out as one process gives, in the same order, with real spawned workers."""
import pytest

from privacy import parallel
from privacy.redact import redact_many

MESSAGES = [
    "my name is Jane Doe and my MRN is 00412233",
    "what does stable disease mean?",
    "call me on (312) 555-0187 after 5",
    "Oluwaseun drove me to the scan, DOB 3/14/1962",
    "is letrozole 2.5 mg the same as Femara",
]


@pytest.fixture(scope="module")
def two_workers():
    mp = pytest.MonkeyPatch()
    mp.setenv("MBC_REDACT_WORKERS", "2")
    parallel.stop()
    yield
    parallel.stop()
    mp.undo()


def test_a_large_batch_on_two_workers_matches_one_process(two_workers):
    texts = [f"{m} ({i})" for i in range(60) for m in MESSAGES]
    assert len(texts) >= parallel.MIN_PARALLEL
    out = parallel.redact_many_parallel(texts)
    assert parallel._pool is not None  # the workers did the work
    assert out == redact_many(texts)
    assert "Jane Doe" not in " ".join(out) and "[RECORD NUMBER]" in out[0]


def test_a_small_batch_stays_in_this_process(two_workers):
    parallel.stop()
    assert parallel.redact_many_parallel(MESSAGES) == redact_many(MESSAGES)
    assert parallel._pool is None


def test_one_worker_means_no_pool(monkeypatch):
    monkeypatch.setenv("MBC_REDACT_WORKERS", "1")
    assert parallel.workers() == 1 and parallel.start() is None


def test_workers_leave_when_their_parent_is_killed(tmp_path):
    """A review app stopped by a signal does not shut its pool down: its workers must not linger."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from settings import ROOT
    script = ("import os, time\n"
              "os.environ['MBC_REDACT_WORKERS'] = '2'\n"
              "from privacy import parallel\n"
              "parallel.redact_many_parallel(['my name is Jane Doe'] * parallel.MIN_PARALLEL)\n"
              "print(' '.join(str(p.pid) for p in parallel._pool._processes.values()), flush=True)\n"
              "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2
        os.kill(parent.pid, signal.SIGTERM)
        parent.wait(10)
        deadline = time.monotonic() + 10
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.5)
            alive = [p for p in workers if os.path.exists(f"/proc/{p}") and "Z" not in open(f"/proc/{p}/stat").read().split()[2]]
        assert alive == [], f"workers still running after their parent died: {alive}"
    finally:
        if parent.poll() is None:
            parent.kill()
