"""The rate limiter's own rules, in one process (the single-server mode, no Redis) and with Redis
unreachable; across servers on the real Redis it is tested in tests/system/test_scaleout.py. Time is
a fake clock here (the `limits` memory storage's and the limiter's), so no test waits a minute."""
import asyncio
import logging
import types

import limits.aio.storage.memory
import pytest

import channels.ratelimit
from channels.ratelimit import WINDOW_S, RateLimiter


@pytest.fixture
def no_redis(monkeypatch):
    monkeypatch.delenv("MBC_REDIS_URL", raising=False)


@pytest.fixture
def clock(monkeypatch, no_redis):
    """A settable clock for the counting (limits' memory storage) and for Retry-After."""
    fake = types.SimpleNamespace(now=1_000_000.0)
    fake.time = lambda: fake.now
    monkeypatch.setattr(limits.aio.storage.memory, "time", fake)
    monkeypatch.setattr(channels.ratelimit, "time", fake)
    return fake


def verdicts(limiter, messages):
    async def run():
        return [await limiter.too_fast(sender, address) for sender, address in messages]
    return asyncio.run(run())


def verdict_and_wait(limiter, sender, address):
    """As the REST channel asks: too_fast, then retry_after in the same request (its own asyncio task)."""
    async def run():
        return await limiter.too_fast(sender, address), limiter.retry_after()
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


def test_a_minute_boundary_does_not_let_twice_the_limit_through(clock):
    """The old fixed window's flaw: N just before the clock's minute turned and N just after were all
    taken, 2N within two seconds. Now any 60 seconds hold at most N."""
    n, limiter = 5, RateLimiter(per_sender=5, per_address=0, exempt=[])
    boundary = (int(clock.now) // WINDOW_S + 1) * WINDOW_S
    clock.now = boundary - 1.0
    assert verdicts(limiter, [("a", "198.51.100.1")] * n) == [False] * n
    clock.now = boundary + 1.0
    assert verdicts(limiter, [("a", "198.51.100.1")] * n) == [True] * n, "the next minute is not a new count"
    clock.now = boundary - 1.0 + WINDOW_S - 0.5
    assert verdicts(limiter, [("a", "198.51.100.1")]) == [True], "still within 60 s of the first"
    clock.now = boundary - 1.0 + WINDOW_S + 0.5
    assert verdicts(limiter, [("a", "198.51.100.1")] * (n + 1)) == [False] * n + [True], \
        "a minute after the first ones, as many again"


def test_no_sixty_seconds_ever_take_more_than_the_limit(clock):
    """Someone writing every 1.5 s for five minutes, through every minute boundary."""
    limit, limiter, taken = 10, RateLimiter(per_sender=10, per_address=0, exempt=[]), []

    async def run():
        for _ in range(200):
            if not await limiter.too_fast("steady", "198.51.100.1"):
                taken.append(clock.now)
            clock.now += 1.5
    asyncio.run(run())
    assert len(taken) >= 4 * limit, "the limit is a rate, not a ban"
    assert max(sum(start <= t < start + WINDOW_S for t in taken) for start in taken) == limit


def test_retry_after_is_when_the_oldest_counted_message_leaves_the_minute(clock):
    limiter = RateLimiter(per_sender=2, per_address=3, exempt=[])
    start = clock.now
    assert verdicts(limiter, [("a", "198.51.100.1")]) == [False]
    clock.now = start + 10
    assert verdicts(limiter, [("a", "198.51.100.1")]) == [False]
    clock.now = start + 15.2
    assert verdict_and_wait(limiter, "a", "198.51.100.1") == (True, 45), "the first leaves at start + 60"
    clock.now = start + 60.1
    assert verdicts(limiter, [("a", "198.51.100.1")]) == [False], "and then one more is taken"
    assert verdict_and_wait(limiter, "a", "198.51.100.1") == (True, 10), "the next leaves at start + 70"
    # The address counted every message of a's, refused ones too: start + 10, + 15.2, + 60.1.
    clock.now = start + 62
    assert verdict_and_wait(limiter, "b", "198.51.100.1") == (True, 8), "another sender, the same address"
    clock.now = start + 71
    assert verdicts(limiter, [("a", "198.51.100.1")]) == [False]
    clock.now = start + 72
    assert verdict_and_wait(limiter, "a", "198.51.100.1") == (True, 49), "both over: the longer wait"
    assert verdict_and_wait(limiter, "b", "198.51.100.1") == (True, 4), "the address's alone"


def test_keys_are_hashed_under_the_deployments_prefix(clock, monkeypatch):
    monkeypatch.setenv("MBC_REDIS_PREFIX", "clinic7")
    limiter = RateLimiter(per_sender=2, per_address=2, exempt=[])
    verdicts(limiter, [("patient-jane@example.org", "198.51.100.1")])
    storage, _ = limiter._counters[None]
    names = [name for name, hits in storage.events.items() if hits]
    assert len(names) == 2 and all(name.startswith("clinic7:rate/") for name in names), names
    assert not any("jane" in name or "198.51" in name for name in names)


def test_unreachable_redis_lets_messages_through_and_says_so_once(monkeypatch, caplog):
    monkeypatch.setenv("MBC_REDIS_URL", "redis://127.0.0.1:16999/0")  # nothing listens there
    limiter = RateLimiter(per_sender=1, per_address=1, exempt=[])
    with caplog.at_level(logging.INFO, logger="channels.ratelimit"):
        assert verdicts(limiter, [("patient-jane", "198.51.100.1")] * 3) == [False, False, False]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "Redis unavailable" in warnings[0].getMessage()
    assert not any("patient-jane" in r.getMessage() or "198.51" in r.getMessage() for r in caplog.records)
