"""Rasa's Redis lock store, configured by one URL and safe when Rasa servers race.

With several Rasa servers, a conversation must be handled by one of them at a time, or two replies
could be computed from the same state and stored out of order. Rasa's RedisLockStore keeps a ticket
queue per conversation, but updates it by read-modify-write: two servers taking a ticket at the same
moment can both get the same number and run at once. Here every update is one Redis transaction
(WATCH/MULTI, retried if another server changed the queue meanwhile).
"""
import json
import logging
from typing import Callable, Optional, Text, Tuple

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

from runtime.shared_state import prefix

logger = logging.getLogger(__name__)


class UrlRedisLockStore(RedisLockStore):
    """`url: redis://[:password@]host:port/db`, or Rasa's own settings (url: host, port, db, password)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        url = endpoint_config.url or "localhost"
        if "://" in url:
            LockStore.__init__(self)
            self.red = redis.StrictRedis.from_url(url, socket_timeout=DEFAULT_SOCKET_TIMEOUT_IN_SECONDS)
        else:
            super().__init__(host=url, **endpoint_config.kwargs)
        self.key_prefix = f"{prefix()}:{DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX}"

    def _change(self, conversation_id: Text,
                change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], object]]):
        """Apply change(lock) -> (lock to save or None to delete, result) atomically; return result."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed this conversation's queue: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock):
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)
        try:
            return self._change(conversation_id, take)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock):
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None
        self._change(conversation_id, drop_expired)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock):
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None
        self._change(conversation_id, finish)
