"""Rasa's SQL tracker store: surviving a lost database connection, and reading a bounded part of
a long conversation.

Lost connections. Rasa creates its engine without pool_pre_ping, so after the database drops
connections (a restart, a failover, an idle timeout) the next request runs on a dead one; Rasa's
FailSafeTrackerStore then answers from an empty in-memory tracker, the conversation starts over and
its new events are never written. Here each pooled server connection is checked before use (SQLite,
a file, keeps a small pool of its own in write-ahead-log mode), and an operation whose connection
still breaks mid-way is run once more on a fresh one; a write retried that way first looks whether
its rows already reached the database (the first attempt may have committed before the line broke),
so no event is stored twice. (With an event broker configured, a retried save would publish its
events again; this project configures none.)

Bounded reads. Rasa reads and replays a conversation's whole session for every message, runs its
rule policy over all of it and sends all of it to the action server, so each message of a long
conversation cost more than the one before (13 ms at the 3rd message, 41 ms at the 48th with
MBC_TRACKER_TURNS=0 in `make profile`; 16 and 20 ms with the default). Here a
message is handled with the session's start, the latest value of each slot, and the last
MBC_TRACKER_TURNS user turns before it (default 2; 0 reads everything): more than this project's
rules and actions look at (a rule spans at most the turn before, "yes" right after an answer, which
tests/system/test_rasa_project.py checks; the actions read slots and the latest message). Keeping 3 turns
instead of 2 cost about a tenth more CPU per message (`make profile`). When the part
left out holds an event whose effect lasts (a restart, a form, a rewind, ...) the whole session is
read, as Rasa does. The database keeps every event; staff see whole conversations.

Reads and writes use SQLAlchemy Core statements built once (Rasa builds an ORM query per call: about
a tenth of the server's CPU per message went to compiling them), and a write knows which of the
tracker's events are new from the read that produced it, instead of counting the stored ones again.
"""
import asyncio
import functools
import itertools
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Sequence

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

import settings

logger = logging.getLogger(__name__)


def _write_ahead_log(dbapi_connection, _record) -> None:
    # SQLite's write-ahead log: one fsync per commit instead of two, and the review app's reads never
    # block the assistant's writes (nor wait for them). Durability is unchanged (synchronous=FULL).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


DEFAULT_TURNS = int(settings.BY_NAME["MBC_TRACKER_TURNS"].default)

# Events that change nothing beyond their own turn once a later user turn has come (slots are kept
# apart: the latest value of each). Any other kind in the part left out means reading everything.
TURN_ONLY = {"user", "bot", "action", "user_featurization", "entities", "reminder", "cancel_reminder", "agent"}


def recent_part(rows: Sequence, turns: int) -> List[int]:
    """The ids of a session's rows (id, type_name, action_name; in order) a message is handled with:
    the session's start up to its session_started event, the last row of each slot in between, and
    the rows from the action_listen before the `turns`-th last user message on."""
    ids = [r.id for r in rows]
    users = [i for i, r in enumerate(rows) if r.type_name == "user"]
    if turns <= 0 or len(users) <= turns:
        return ids
    tail = users[-turns]
    if tail > 0 and rows[tail - 1].type_name == "action" and rows[tail - 1].action_name == "action_listen":
        tail -= 1
    head = next((i + 1 for i, r in enumerate(rows) if r.type_name == SessionStarted.type_name), 0)
    if head >= tail:
        return ids
    latest_slot_rows = {}
    for row in rows[head:tail]:
        if row.type_name == "slot":
            latest_slot_rows[row.action_name] = row.id
        elif row.type_name not in TURN_ONLY:
            return ids
    return ids[:head] + sorted(latest_slot_rows.values()) + ids[tail:]


def _event_row(sender_id: str, event) -> dict:
    """The events-table row Rasa's SQLTrackerStore writes for an event (same columns, same JSON)."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


def _make_sqlite_folder(url) -> None:
    """SQLite creates its file but not the folder (var/ on a fresh clone, for a plain `rasa run`)."""
    if isinstance(url, str) and url.startswith("sqlite:///"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        _make_sqlite_folder(kwargs.get("host"))  # endpoints.yml's `url` reaches Rasa's store as `host`
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
        self.turns = settings.get_int("MBC_TRACKER_TURNS")
        # SQLite takes one writer at a time, and a second writer waits in its busy handler's sleeps:
        # one thread queues them instead. A database server takes several.
        workers = settings.get_int("MBC_TRACKER_THREADS") or (1 if url.get_backend_name() == "sqlite" else 4)
        self._io = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tracker-store")
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
        self._session_rows = (sa.select(events.c.id, events.c.type_name, events.c.action_name)
                              .where(in_session).order_by(events.c.id))
        self._session_data = sa.select(events.c.data).where(in_session).order_by(events.c.id)
        self._data_of = (sa.select(events.c.data).where(events.c.id.in_(sa.bindparam("ids", expanding=True)))
                         .order_by(events.c.id))
        self._count_session = sa.select(sa.func.count()).select_from(events).where(in_session)
        self._latest_data = (sa.select(events.c.data).where(events.c.sender_id == sender)
                             .order_by(events.c.id.desc()).limit(sa.bindparam("n")))
        self._insert = events.insert()

    def _loaded_count(self, tracker: DialogueStateTracker):
        """How many of the tracker's first events are stored, if this store read or wrote the tracker
        (Rasa holds the conversation's lock from the read to the write: nothing else adds to them)."""
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

    async def _in_thread(self, function, *args):
        # The database work runs beside the event loop (the drivers block: SQLite's fsync on commit,
        # PostgreSQL's round trips), so other conversations go on meanwhile.
        return await asyncio.get_running_loop().run_in_executor(self._io, functools.partial(function, *args))

    async def retrieve(self, sender_id):
        return await self._once_more_if_disconnected(self._in_thread, self._retrieve_recent, sender_id)

    def _retrieve_recent(self, sender_id):
        with self.engine.connect() as connection:
            rows = connection.execute(self._session_rows, {"sender_id": sender_id}).all()
            if not rows or not self.domain:
                return None
            wanted = recent_part(rows, self.turns)
            if len(wanted) == len(rows):
                data = connection.execute(self._session_data, {"sender_id": sender_id}).scalars().all()
            else:
                data = connection.execute(self._data_of, {"ids": wanted}).scalars().all()
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(d) for d in data], self.domain.slots)
        self._mark_stored(tracker)
        return tracker

    async def retrieve_full_tracker(self, sender_id):
        return await self._once_more_if_disconnected(super()._retrieve, sender_id, True)

    async def save(self, tracker) -> None:
        await self.stream_events(tracker)
        try:
            await self._in_thread(self._save, tracker, False)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            logger.warning("tracker store: lost the database connection, trying again (%s)", error.orig)
            await self._in_thread(self._save, tracker, True)

    def _save(self, tracker, retried: bool) -> None:
        # Rasa's rows, in one transaction and one INSERT.
        with self.engine.begin() as connection:
            stored = self._loaded_count(tracker)
            if stored is None:  # not read here: the tracker holds the whole session, as Rasa assumes
                stored = connection.execute(self._count_session, {"sender_id": tracker.sender_id}).scalar()
            rows = [_event_row(tracker.sender_id, e) for e in itertools.islice(tracker.events, stored, None)]
            if rows and not (retried and self._already_stored(connection, tracker.sender_id, rows)):
                connection.execute(self._insert, rows)
        self._mark_stored(tracker)

    def _already_stored(self, connection, sender_id: str, rows: List[dict]) -> bool:
        """Whether these rows are the conversation's latest (a transaction stores all of them or none)."""
        latest = connection.execute(self._latest_data, {"sender_id": sender_id, "n": len(rows)}).scalars().all()
        return latest[::-1] == [r["data"] for r in rows]

    async def keys(self):
        return await self._once_more_if_disconnected(super().keys)
