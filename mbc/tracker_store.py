"""Rasa's SQL tracker store, surviving a lost database connection.

Rasa creates its engine without pool_pre_ping, so after the database drops connections (a restart, a
failover, an idle timeout) the next request runs on a dead one; Rasa's FailSafeTrackerStore then
answers from an empty in-memory tracker, the conversation starts over and its new events are never
written. Here each pooled server connection is checked before use (SQLite, a file, keeps a small
pool of its own in write-ahead-log mode), and an operation whose connection still breaks mid-way is
run once more on a fresh one: a save is one transaction counted against the stored
events, so running it again cannot store an event twice. (With an event broker configured, a retried
save would publish its events again; this project configures none.)

Reads and writes use SQLAlchemy Core statements built once (Rasa builds an ORM query per call: about
a tenth of the server's CPU per message went to compiling them), and a save knows how many events of
the tracker are already stored from the read that produced it, instead of counting them again.
"""
import itertools
import json
import logging

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
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
        self._build_statements()

    def _build_statements(self) -> None:
        events = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        # The latest session, as Rasa's store defines it: events from the last SessionStarted's
        # timestamp on (the session's start action shares that timestamp), or all when there is none.
        session_start = (sa.select(sa.func.max(events.c.timestamp))
                         .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
                         .scalar_subquery())
        in_session = sa.and_(events.c.sender_id == sender,
                             sa.or_(events.c.timestamp >= session_start, session_start.is_(None)))
        self._select_session = sa.select(events.c.data).where(in_session).order_by(events.c.id)
        self._count_session = sa.select(sa.func.count()).select_from(events).where(in_session)
        self._insert = events.insert()

    def _stored_count(self, tracker: DialogueStateTracker):
        """How many of the tracker's events this store holds, if this store read or wrote the tracker.
        Rasa holds a conversation's lock from the read to the write, so nothing else adds to them."""
        mark = getattr(tracker, "_mbc_stored", None)
        return mark[1] if mark and mark[0] is self else None

    def _mark_stored(self, tracker: DialogueStateTracker) -> None:
        tracker._mbc_stored = (self, len(tracker.events))

    async def _once_more_if_disconnected(self, operation, *args):
        try:
            return await operation(*args)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            logger.warning("tracker store: lost the database connection, trying again (%s)", error.orig)
            return await operation(*args)

    async def retrieve(self, sender_id):
        return await self._once_more_if_disconnected(self._retrieve_session, sender_id)

    async def _retrieve_session(self, sender_id):
        with self.engine.connect() as connection:
            rows = connection.execute(self._select_session, {"sender_id": sender_id}).scalars().all()
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(r) for r in rows], self.domain.slots)
        self._mark_stored(tracker)
        return tracker

    async def retrieve_full_tracker(self, sender_id):
        return await self._once_more_if_disconnected(super()._retrieve, sender_id, True)

    async def save(self, tracker) -> None:
        await self.stream_events(tracker)
        try:
            await self._save(tracker, self._stored_count(tracker))
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # Counted again on the retry: the first attempt may have committed before the line broke.
            logger.warning("tracker store: lost the database connection, trying again (%s)", error.orig)
            await self._save(tracker, None)

    async def _save(self, tracker, stored) -> None:
        # Rasa's save (the same rows) in one transaction and one INSERT.
        with self.engine.begin() as connection:
            if stored is None:
                stored = connection.execute(self._count_session, {"sender_id": tracker.sender_id}).scalar()
            rows = [_event_row(tracker.sender_id, e) for e in itertools.islice(tracker.events, stored, None)]
            if rows:
                connection.execute(self._insert, rows)
        self._mark_stored(tracker)

    async def keys(self):
        return await self._once_more_if_disconnected(super().keys)
