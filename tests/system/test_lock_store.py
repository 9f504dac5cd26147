"""The conversation lock shared by Rasa servers, on the real Redis: servers racing for tickets of one
conversation must each get their own, and only one may hold the conversation at a time."""
import asyncio
import threading
import uuid

import pytest
from rasa.utils.endpoints import EndpointConfig

from runtime.lock_store import UrlRedisLockStore
from tests.conftest import REDIS_URL


@pytest.fixture
def stores(monkeypatch, redis_prefix):
    """Eight lock stores, as eight Rasa servers would have, on this run's Redis keys."""
    monkeypatch.setenv("MBC_REDIS_PREFIX", redis_prefix)
    return [UrlRedisLockStore(EndpointConfig(url=REDIS_URL)) for _ in range(8)]


def race(stores, work):
    start = threading.Barrier(len(stores))

    def run(store):
        start.wait()
        work(store)

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_racing_servers_never_get_the_same_ticket(stores):
    conversation, tickets, guard = f"race-{uuid.uuid4().hex}", [], threading.Lock()

    def take(store):
        for _ in range(40):
            ticket = store.issue_ticket(conversation, 60)
            with guard:
                tickets.append(ticket)

    race(stores, take)
    assert sorted(tickets) == list(range(len(stores) * 40))
    stores[0].delete_lock(conversation)


def test_one_server_at_a_time_holds_a_conversation(stores):
    conversation, inside, most, guard = f"hold-{uuid.uuid4().hex}", [0], [0], threading.Lock()

    async def turn(store):
        async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.005):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            await asyncio.sleep(0.003)
            with guard:
                inside[0] -= 1

    def turns(store):
        for _ in range(10):
            asyncio.run(turn(store))

    race(stores, turns)
    assert most[0] == 1
    assert stores[0].get_lock(conversation) is None, "the last one out removes the lock"
