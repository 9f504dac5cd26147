"""Each signed webhook request accepted once: a request whose signature was already seen within the
window is a replay. Remembered in Redis when MBC_REDIS_URL is set (so a replay sent to another Rasa
server is refused too), otherwise in this process; if Redis fails, this process's memory is used."""
import collections
import logging
import time
from typing import Text

from channels.ratelimit import digest
from runtime.shared_state import async_redis, key

logger = logging.getLogger(__name__)


class ReplayGuard:
    def __init__(self, channel: Text, window_s: int) -> None:
        self.channel, self.window_s = channel, window_s
        self.seen: "collections.OrderedDict[str, float]" = collections.OrderedDict()

    async def first_time(self, signature: Text) -> bool:
        client = async_redis()
        if client is not None:
            try:
                return bool(await client.set(key("seen", self.channel, digest(signature)), 1,
                                             nx=True, ex=self.window_s))
            except Exception as error:
                logger.warning("%s: Redis unavailable (%s); checking replays in this process", self.channel, error)
        return self._first_time_here(signature)

    def _first_time_here(self, signature: Text) -> bool:
        now = time.time()
        while self.seen and next(iter(self.seen.values())) < now - self.window_s:
            self.seen.popitem(last=False)
        if signature in self.seen:
            return False
        self.seen[signature] = now
        return True
