"""Redaction of many messages on several processes: the review indexer's large batches.

Redaction is CPU-bound Python (spaCy's tokenizer and matchers, the rules, the name finder), so threads
would take turns on one core; worker processes use them all. Each worker loads its own Redactor once
(a few seconds), so the pool starts with the first large batch (or `start()`) and is kept for the life
of the process. Small batches, the usual case once the indexer has caught up, are redacted in the
calling process: sending them over would cost more than it saves. If the pool cannot be used, the batch
is redacted in the calling process: never skipped, never stored unredacted.

MBC_REDACT_WORKERS sets the number of worker processes (default: the machine's cores, at most 4;
1 turns the pool off).
"""
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import List, Optional, Sequence

import settings
from privacy.redact import get_redactor, redact_many

logger = logging.getLogger(__name__)
MIN_PARALLEL = 200  # messages: below this one process is quicker than sending them to the workers
_pool: Optional[ProcessPoolExecutor] = None
_lock = threading.Lock()


def workers() -> int:
    return max(1, settings.get_int("MBC_REDACT_WORKERS"))


def _worker_start(parent: int) -> None:
    """In each worker: load the Redactor, and leave when the parent process is gone (a review app
    stopped by a signal does not shut its pool down, and its workers would wait for work forever)."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)
    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
    get_redactor()


def _ready() -> bool:
    return True


def _redact(texts: List[str]) -> List[str]:
    return get_redactor().redact_many(texts)


def start() -> Optional[ProcessPoolExecutor]:
    """Start the worker processes (once) and wait until each has loaded its Redactor."""
    global _pool
    if workers() < 2:
        return None
    with _lock:
        if _pool is None:
            # spawn, not fork: the review app has threads, and a forked copy of a lock held by one of
            # them would never be released in the child.
            pool = ProcessPoolExecutor(workers(), mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_worker_start, initargs=(os.getpid(),))
            for future in [pool.submit(_ready) for _ in range(workers())]:
                future.result()
            _pool = pool
    return _pool


def redact_many_parallel(texts: Sequence[str]) -> List[str]:
    """redact_many(texts), spread over the worker processes when the batch is large."""
    texts = list(texts)
    if len(texts) < MIN_PARALLEL or workers() < 2:
        return redact_many(texts)
    try:
        pool = start()
        size = -(-len(texts) // (2 * workers()))  # two chunks a worker: an uneven chunk costs less
        chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
        return [out for chunk in pool.map(_redact, chunks) for out in chunk]
    except Exception:  # a worker died or could not start: redact here rather than not at all
        logger.exception("redaction workers unavailable; redacting in this process")
        return redact_many(texts)


def stop() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown()
            _pool = None
