"""Where state shared by every Rasa server lives: Redis at MBC_REDIS_URL (redis://host:port/db), keys
under MBC_REDIS_PREFIX (default "mbc", letters and digits) so several deployments can share one Redis.
Without MBC_REDIS_URL each process keeps such state itself (one server)."""
from typing import Optional

import settings


def redis_url() -> Optional[str]:
    return settings.get("MBC_REDIS_URL")


def prefix() -> str:
    value = settings.get("MBC_REDIS_PREFIX")
    if not value.isalnum():
        raise ValueError(f"MBC_REDIS_PREFIX must be letters and digits, not {value!r}")
    return value


def key(*parts: str) -> str:
    return ":".join([prefix(), *parts])


_clients = {}


def async_redis():
    """One asyncio Redis client per process (the Rasa server runs one event loop), or None."""
    url = redis_url()
    if url and url not in _clients:
        import redis.asyncio

        _clients[url] = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients.get(url) if url else None
