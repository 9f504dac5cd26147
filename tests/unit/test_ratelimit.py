"""The rate limiter's own rules, in one process (the single-server mode, no Redis) and with Redis
unreachable; across servers on the real Redis it is tested in tests/test_scaleout.py."""
import asyncio

import pytest

from channels.ratelimit import RateLimiter


@pytest.fixture
def no_redis(monkeypatch):
    monkeypatch.delenv("MBC_REDIS_URL", raising=False)


def verdicts(limiter, messages):
    async def run():
        return [await limiter.too_fast(sender, address) for sender, address in messages]
    return asyncio.run(run())


def test_each_sender_and_each_address_has_its_own_count(no_redis):
    limiter = RateLimiter(per_sender=3, per_address=5, exempt=[])
    assert verdicts(limiter, [("a", "198.51.100.1")] * 4) == [False, False, False, True]
    assert verdicts(limiter, [("b", "198.51.100.1")]) == [False], "another sender from the same place"
    assert verdicts(limiter, [("c", "198.51.100.1")]) == [True], "the address's sixth message"
    assert verdicts(limiter, [("d", "198.51.100.2")]) == [False], "another address"


def test_exempt_addresses_are_counted_per_sender_only(no_redis):
    limiter = RateLimiter(per_sender=2, per_address=1, exempt=["127.0.0.1"])
    assert verdicts(limiter, [(f"s{i}", "127.0.0.1") for i in range(5)]) == [False] * 5
    assert verdicts(limiter, [("same", "127.0.0.1")] * 3) == [False, False, True]


def test_zero_switches_a_limit_off(no_redis):
    limiter = RateLimiter(per_sender=0, per_address=0, exempt=[])
    assert not any(verdicts(limiter, [("a", "198.51.100.1")] * 50))


def test_the_proxy_address_is_trusted_only_when_configured():
    assert RateLimiter(1, 1, trust_proxy=True).address("127.0.0.1", "203.0.113.5") == "203.0.113.5"
    assert RateLimiter(1, 1, trust_proxy=False).address("127.0.0.1", "203.0.113.5") == "127.0.0.1"
    assert RateLimiter(1, 1, trust_proxy=True).address("127.0.0.1", None) == "127.0.0.1"


def test_unreachable_redis_lets_messages_through(monkeypatch):
    monkeypatch.setenv("MBC_REDIS_URL", "redis://127.0.0.1:16999/0")  # nothing listens there
    limiter = RateLimiter(per_sender=1, per_address=1, exempt=[])
    assert verdicts(limiter, [("a", "198.51.100.1")] * 3) == [False, False, False]
