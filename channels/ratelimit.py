"""How fast one person may write: per conversation (sender) and per client address, each over a moving
window of a minute (any 60 seconds, not the clock's minutes: a fixed window let about twice the limit
through across a minute boundary). Counted by the `limits` package's moving-window limiter, in Redis
when MBC_REDIS_URL is set, so the limit holds across every Rasa server, otherwise in this process. Over
the limit the message is not handled and the channel says, kindly, to wait (REST: 429, with Retry-After
the seconds until the oldest counted message leaves the window). A refused message is not counted
against its sender, so writing on steadily gets one message through as each old one leaves the minute;
it is counted against its address while that is under its own limit.

MBC_RATE_PER_SENDER (default 20 a minute: more than anyone types) and MBC_RATE_PER_ADDRESS (default
120: a clinic's shared connection) set the limits, 0 switches one off. Addresses in MBC_RATE_EXEMPT
(default this machine's loopback: the scorer, `make eval`, `make bench`) are not counted per address.
Behind a reverse proxy set MBC_TRUST_PROXY=1: the client address is then the proxy's X-Real-IP.
Sender ids and addresses are stored hashed, in keys under MBC_REDIS_PREFIX. If Redis fails, messages go
through (logged once until it answers again): a broken counter must not silence the assistant. In
Redis each hit is stamped with its server's clock, so the servers' clocks should agree (NTP).

`limits` is pinned at 2.4.0: later releases need packaging>=21, which Rasa 3.6 forbids. Its async Redis
storage uses the `coredis` client. Its get_window_stats reports the newest hit of a moving window, not
the oldest, so the wait is read from the storage here (`_oldest_counted`).
"""
import hashlib
import logging
import math
import time
from contextvars import ContextVar
from functools import lru_cache
from typing import Optional, Text, Tuple

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

import settings
from runtime.shared_state import key, redis_url

logger = logging.getLogger(__name__)
WINDOW_S = 60
SLOW_DOWN = ("You're sending messages faster than I can answer them. Please wait a minute, then ask "
             "again: I'll be here.")
MEMORY_KEYS = 100_000  # past this many (kind, hashed key) lists in this process, empty ones are dropped

# Seconds to wait, set by too_fast for the request (each request runs in its own asyncio task, so its own
# context) and read right after by retry_after.
_retry_after: ContextVar[int] = ContextVar("retry_after", default=WINDOW_S)


def digest(value: Text) -> Text:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def storage_uri(url: Text) -> Text:
    """`limits`'s async Redis storage from MBC_REDIS_URL (redis://host:port/db or rediss://...)."""
    return url if url.startswith("async+") else f"async+{url}"


class RateLimiter:
    def __init__(self, per_sender: int, per_address: int, exempt=("127.0.0.1", "::1"), trust_proxy=False):
        self.limits = {"sender": per_sender, "address": per_address}
        self.exempt, self.trust_proxy = set(exempt), trust_proxy
        # Redis URL (None: this process's memory) -> (storage, limiter); the limiter holds its storage
        # only weakly, so it is kept here.
        self._counters = {}
        self._redis_failing = False
        self._prune_past = MEMORY_KEYS

    @classmethod
    def from_settings(cls) -> "RateLimiter":
        return cls(settings.get_int("MBC_RATE_PER_SENDER"), settings.get_int("MBC_RATE_PER_ADDRESS"),
                   settings.get_list("MBC_RATE_EXEMPT"), settings.get_flag("MBC_TRUST_PROXY"))

    def address(self, peer: Optional[Text], real_ip: Optional[Text]) -> Text:
        return (real_ip if self.trust_proxy and real_ip else peer) or "unknown"

    def retry_after(self) -> int:
        """Seconds until the message refused by the last too_fast of this request would be taken: when the
        oldest message counted against the limit leaves the minute (the longer wait if both limits)."""
        return _retry_after.get()

    def _counter(self) -> Tuple[Storage, MovingWindowRateLimiter]:
        url = redis_url()
        if url not in self._counters:
            storage = (RedisStorage(storage_uri(url), connect_timeout=2, stream_timeout=2) if url
                       else MemoryStorage())
            self._counters[url] = storage, MovingWindowRateLimiter(storage)
        return self._counters[url]

    async def too_fast(self, sender: Text, address: Text) -> bool:
        """Count this message; True if its sender or its address is over the limit."""
        waits = []
        for kind, who in (("sender", sender), ("address", address)):
            limit = self.limits[kind]
            if not limit or (kind == "address" and address in self.exempt):
                continue
            item, hashed = RateLimitItemPerMinute(limit, namespace=key("rate")), digest(who)
            try:
                storage, moving_window = self._counter()
                taken = await moving_window.hit(item, kind, hashed)
                wait = None if taken else await self._wait(storage, item.key_for(kind, hashed), limit)
            except Exception as error:  # Redis down: let the message through rather than fail the user
                self._failing(error)
                break
            self._answering()
            if wait is not None:
                logger.info("rate limit: %s %s over %d a minute", kind, hashed[:8], limit)
                waits.append(wait)
        self._prune()
        if waits:
            _retry_after.set(max(waits))
        return bool(waits)

    async def _wait(self, storage: Storage, name: Text, limit: int) -> int:
        oldest = await _oldest_counted(storage, name, limit)
        if oldest is None:  # it left the window in the meantime
            return 1
        return min(WINDOW_S, max(1, math.ceil(oldest + WINDOW_S - time.time())))

    def _failing(self, error: Exception) -> None:
        if not self._redis_failing:
            self._redis_failing = True
            logger.warning("rate limit: Redis unavailable (%s: %s); not counting until it answers again",
                           type(error).__name__, error)

    def _answering(self) -> None:
        if self._redis_failing:
            self._redis_failing = False
            logger.info("rate limit: Redis answers again; counting")

    def _prune(self) -> None:
        """`limits`'s memory storage drops expired hits but keeps every key's (then empty) list."""
        events = self._counters[None][0].events if None in self._counters else {}
        if len(events) > self._prune_past:
            for name in [name for name, hits in events.items() if not hits]:
                del events[name]
            self._prune_past = max(MEMORY_KEYS, 2 * len(events))  # not again at every message


async def _oldest_counted(storage: Storage, name: Text, limit: int) -> Optional[float]:
    """When the oldest of the `limit` newest hits was taken (both storages keep the newest first)."""
    if isinstance(storage, MemoryStorage):
        hits = storage.events.get(name, [])
        return hits[limit - 1].atime if len(hits) >= limit else None
    entry = await storage.storage.lindex(name, limit - 1)
    return float(entry) if entry is not None else None


@lru_cache(maxsize=1)
def limiter() -> RateLimiter:
    """One limiter for every channel of this Rasa server, so an address is counted across channels."""
    return RateLimiter.from_settings()
