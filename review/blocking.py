"""Blocking work (SQLAlchemy, Argon2, the indexer, spaCy, building exports) on a bounded thread pool,
so Sanic's event loop keeps answering other staff members meanwhile."""
import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial

# Each call holds at most one database connection at a time, so 8 threads stay within SQLAlchemy's
# default PostgreSQL pool (5 + 10 overflow).
WORKERS = 8
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="review-blocking")
_exclusive = asyncio.Lock()
# A thread building a large export holds the GIL up to the switch interval each time a page's thread
# wants it back, which SQLite wants after every row it steps through: at the default 5 ms a dashboard
# took 3 times as long during an export, at 1 ms 1.8 times (measured; a switch happens only when
# another thread is waiting for the GIL).
sys.setswitchinterval(0.001)


async def off_loop(fn, *args, exclusive: bool = False, **kwargs):
    """fn(*args, **kwargs) on the pool. exclusive: one such call at a time (sign-ins and forms that check,
    then write, stay atomic as when every handler ran on the loop); waiting for it takes no thread."""
    call = partial(fn, *args, **kwargs)
    if not exclusive:
        return await asyncio.get_running_loop().run_in_executor(_pool, call)
    async with _exclusive:
        return await asyncio.get_running_loop().run_in_executor(_pool, call)
