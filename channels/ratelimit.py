"""How fast one person may write: per conversation (sender) and per client address, each in windows of
a minute. Counted in Redis when MBC_REDIS_URL is set, so the limit holds across every Rasa server,
otherwise in this process. Over the limit the message is not handled and the channel says, kindly,
to wait (REST: 429).

MBC_RATE_PER_SENDER (default 20 a minute: more than anyone types) and MBC_RATE_PER_ADDRESS (default
120: a clinic's shared connection) set the limits, 0 switches one off. Addresses in MBC_RATE_EXEMPT
(default this machine's loopback: the scorer, `make eval`, `make bench`) are not counted per address.
Behind a reverse proxy set MBC_TRUST_PROXY=1: the client address is then the proxy's X-Real-IP.
Sender ids and addresses are stored hashed. If Redis fails, messages go through (logged): a broken
counter must not silence the assistant.
"""
import hashlib
import logging
import time
from functools import lru_cache
from typing import Optional, Text

import settings
from runtime.shared_state import async_redis, key

logger = logging.getLogger(__name__)
WINDOW_S = 60
SLOW_DOWN = ("You're sending messages faster than I can answer them. Please wait a minute, then ask "
             "again: I'll be here.")


def digest(value: Text) -> Text:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


class RateLimiter:
    def __init__(self, per_sender: int, per_address: int, exempt=("127.0.0.1", "::1"), trust_proxy=False):
        self.limits = {"sender": per_sender, "address": per_address}
        self.exempt, self.trust_proxy = set(exempt), trust_proxy
        self.local = {}  # (kind, hashed key) -> (window, count), when there is no Redis

    @classmethod
    def from_settings(cls) -> "RateLimiter":
        return cls(settings.get_int("MBC_RATE_PER_SENDER"), settings.get_int("MBC_RATE_PER_ADDRESS"),
                   settings.get_list("MBC_RATE_EXEMPT"), settings.get_flag("MBC_TRUST_PROXY"))

    def address(self, peer: Optional[Text], real_ip: Optional[Text]) -> Text:
        return (real_ip if self.trust_proxy and real_ip else peer) or "unknown"

    def retry_after(self) -> int:
        return WINDOW_S - int(time.time()) % WINDOW_S

    async def too_fast(self, sender: Text, address: Text) -> bool:
        """Count this message; True if its sender or its address is over the limit."""
        window = int(time.time() // WINDOW_S)
        over = False
        for kind, who in (("sender", sender), ("address", address)):
            if not self.limits[kind] or (kind == "address" and address in self.exempt):
                continue
            count = await self._count(kind, digest(who), window)
            if count is not None and count > self.limits[kind]:
                logger.info("rate limit: %s %s over %d a minute", kind, digest(who)[:8], self.limits[kind])
                over = True
        return over

    async def _count(self, kind: Text, who: Text, window: int) -> Optional[int]:
        client = async_redis()
        if client is None:
            seen_window, count = self.local.get((kind, who), (window, 0))
            count = count + 1 if seen_window == window else 1
            if len(self.local) > 100_000:  # only this minute's entries matter
                self.local = {k: v for k, v in self.local.items() if v[0] == window}
            self.local[(kind, who)] = (window, count)
            return count
        name = key("rate", kind, who, str(window))
        try:
            async with client.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(name).expire(name, 2 * WINDOW_S).execute()
            return count
        except Exception as error:  # Redis down: let the message through rather than fail the user
            logger.warning("rate limit: Redis unavailable (%s); not counting", error)
            return None


@lru_cache(maxsize=1)
def limiter() -> RateLimiter:
    """One limiter for every channel of this Rasa server, so an address is counted across channels."""
    return RateLimiter.from_settings()
