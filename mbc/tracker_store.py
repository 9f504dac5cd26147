"""Rasa's SQL tracker store, surviving a lost database connection.

Rasa creates its engine without pool_pre_ping, so after the database drops connections (a restart, a
failover, an idle timeout) the next request runs on a dead one; Rasa's FailSafeTrackerStore then
answers from an empty in-memory tracker, the conversation starts over and its new events are never
written. Here each pooled server connection is checked before use (SQLite, a file, keeps a small
pool of its own in write-ahead-log mode), and an operation whose connection still breaks mid-way is
run once more on a fresh one: a save is one transaction counted against the stored
events, so running it again cannot store an event twice. (With an event broker configured, a retried
save would publish its events again; this project configures none.)
"""
import json
import logging

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

logger = logging.getLogger(__name__)


def _write_ahead_log(dbapi_connection, _record) -> None:
    # SQLite's write-ahead log: one fsync per commit instead of two, and the review app's reads never
    # block the assistant's writes (nor wait for them). Durability is unchanged (synchronous=FULL).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _event_row(sender_id: str, event) -> dict:
    """The events-table row Rasa's SQLTrackerStore writes for an event (same columns, same JSON)."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            # A file, not a server: nothing to ping. SQLAlchemy 1.4 opens a new SQLite connection for
            # every session (NullPool); keep a few open instead (Rasa uses them from its one event-loop
            # thread, and its sessions never share one).
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=2,
                                           connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _write_ahead_log)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def _once_more_if_disconnected(self, operation, *args, **kwargs):
        try:
            return await operation(*args, **kwargs)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            logger.warning("tracker store: lost the database connection, trying again (%s)", error.orig)
            return await operation(*args, **kwargs)

    async def _retrieve(self, sender_id, fetch_events_from_all_sessions):
        return await self._once_more_if_disconnected(super()._retrieve, sender_id, fetch_events_from_all_sessions)

    async def save(self, tracker) -> None:
        await self._once_more_if_disconnected(self._save, tracker)

    async def _save(self, tracker) -> None:
        # Rasa's save, with the new events written in one INSERT instead of one ORM object each.
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [_event_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    async def keys(self):
        return await self._once_more_if_disconnected(super().keys)
