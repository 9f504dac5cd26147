"""The project's SQL tracker store writes exactly the rows Rasa's own store writes (one INSERT instead of
one ORM object per event), once, on SQLite and PostgreSQL."""
import asyncio

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from runtime.tracker_store import ReconnectingSQLTrackerStore, recent_part
from scripts.pg import temporary_database
from tests.conftest import POSTGRES_ADMIN_URL

DOMAIN = Domain.from_yaml('version: "3.1"\nintents: [faq]\nslots:\n  outcome:\n    type: text\n    mappings:\n'
                          '    - type: custom\n')


def conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    # As Rasa logs them: the session start and its action at one time (Rasa counts stored events from it).
    for event in [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.0),
                  ActionExecuted("action_listen", timestamp=1.2),
                  UserUttered("what is stable disease", {"name": "faq", "confidence": 0.97},
                              parse_data={"intent": {"name": "faq", "confidence": 0.97}, "entities": [],
                                          "text": "what is stable disease"}, timestamp=2.0),
                  ActionExecuted("action_answer_faq", timestamp=2.1),
                  BotUttered("This is called stable disease.", {"buttons": [{"title": "Yes", "payload": "/x"}]},
                             timestamp=2.2),
                  SlotSet("outcome", "answered", timestamp=2.3), ActionExecuted("action_listen", timestamp=2.4)]:
        tracker.update(event)
    return tracker


def stored(url: str, sender: str):
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
                                    "FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_same_rows_as_rasas_store_and_nothing_twice(kind, tmp_path):
    def urls():
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / 'rasa.db'}", f"sqlite:///{tmp_path / 'ours.db'}"
        return rasa_db, ours_db

    with temporary_database("mbc_ts", POSTGRES_ADMIN_URL) as rasa_db, \
            temporary_database("mbc_ts", POSTGRES_ADMIN_URL) as ours_db:
        rasa_url, ours_url = urls()
        theirs = SQLTrackerStore(DOMAIN, **_parts(rasa_url))
        ours = ReconnectingSQLTrackerStore(DOMAIN, **_parts(ours_url))
        tracker = conversation("someone")
        for store in (theirs, ours):
            asyncio.run(store.save(tracker))
            asyncio.run(store.save(tracker))  # saving again adds nothing
        tracker.update(UserUttered("thanks", {"name": "thank", "confidence": 1.0}, timestamp=3.0))
        for store in (theirs, ours):
            asyncio.run(store.save(tracker))
        expected = stored(rasa_url, "someone")
        assert len(expected) == len(tracker.events)  # each event once
        assert stored(ours_url, "someone") == expected
        restored = asyncio.run(ours.retrieve("someone"))
        assert [e.as_dict() for e in restored.events] == [e.as_dict() for e in tracker.events]
        theirs.engine.dispose()
        ours.engine.dispose()


def _parts(url: str) -> dict:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"dialect": "sqlite", "db": parsed.database}
    return {"dialect": "postgresql", "host": parsed.host, "port": parsed.port, "db": parsed.database,
            "username": parsed.username, "password": parsed.password}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_read_add_write_as_each_message_does(kind, tmp_path):
    """Every message reads the session, adds its events and writes them: same rows as Rasa's store,
    the write issues one INSERT (no count of the stored events), and a new session reads alone."""
    with temporary_database("mbc_ts", POSTGRES_ADMIN_URL) as rasa_db, \
            temporary_database("mbc_ts", POSTGRES_ADMIN_URL) as ours_db:
        rasa_url, ours_url = ((f"sqlite:///{tmp_path / 'rasa.db'}", f"sqlite:///{tmp_path / 'ours.db'}")
                              if kind == "sqlite" else (rasa_db, ours_db))
        theirs = SQLTrackerStore(DOMAIN, **_parts(rasa_url))
        ours = ReconnectingSQLTrackerStore(DOMAIN, **_parts(ours_url))
        statements = []
        sa.event.listen(ours.engine, "before_cursor_execute", lambda *a: statements.append(a[2].split()[0].upper()))
        for store in (theirs, ours):
            asyncio.run(store.save(conversation("someone")))
        for turn in range(3):
            for store in (theirs, ours):
                tracker = asyncio.run(store.retrieve("someone"))
                tracker.update(UserUttered(f"question {turn}", {"name": "faq", "confidence": 0.9}, timestamp=10.0 + turn))
                tracker.update(BotUttered(f"answer {turn}", timestamp=10.1 + turn))
                tracker.update(ActionExecuted("action_listen", timestamp=10.2 + turn))
                statements.clear()
                asyncio.run(store.save(tracker))
            assert statements == ["INSERT"]
        assert stored(ours_url, "someone") == stored(rasa_url, "someone")
        assert len(stored(ours_url, "someone")) == len(conversation("someone").events) + 9
        # A new session (as Rasa starts one after the expiry time): only its events are read back.
        tracker = asyncio.run(ours.retrieve("someone"))
        for event in [ActionExecuted("action_session_start", timestamp=99.0), SessionStarted(timestamp=99.0),
                      ActionExecuted("action_listen", timestamp=99.1)]:
            tracker.update(event)
        asyncio.run(ours.save(tracker))
        again = asyncio.run(ours.retrieve("someone"))
        assert [e.type_name for e in again.events] == ["action", "session_started", "action"]
        assert len(stored(ours_url, "someone")) == len(conversation("someone").events) + 12
        theirs.engine.dispose()
        ours.engine.dispose()


class Row:
    def __init__(self, id, type_name, action_name=None):
        self.id, self.type_name, self.action_name = id, type_name, action_name


def session_rows(spec):
    """Rows from a compact spec: 'u' user, 'b' bot, 'l' action_listen, 'a' another action,
    's:<name>' a slot, 'S' session_started, anything else its own type."""
    kinds = {"u": ("user", None), "b": ("bot", None), "l": ("action", "action_listen"), "a": ("action", "action_x"),
             "S": ("session_started", None)}
    rows = []
    for i, item in enumerate(spec.split(), start=1):
        if item.startswith("s:"):
            rows.append(Row(i, "slot", item[2:]))
        else:
            rows.append(Row(i, *kinds.get(item, (item, None))))
    return rows


START = "a S l"  # action_session_start, session_started, action_listen
TURN = "u a b s:outcome l"


def test_recent_part_keeps_the_start_the_latest_slots_and_the_last_turns():
    rows = session_rows(f"{START} u a b s:last_answer_id s:outcome l {TURN} {TURN} {TURN}")
    kept = recent_part(rows, 2)
    by_id = {r.id: r for r in rows}
    # The start (2 rows), the latest row of each slot before the window (last_answer_id from turn 1,
    # outcome from turn 2), then everything from the listen before turn 3 on.
    assert kept[:2] == [1, 2]
    slots_kept = [by_id[i].action_name for i in kept[2:] if by_id[i].type_name == "slot" and i < 16]
    assert slots_kept == ["last_answer_id", "outcome"]
    assert [by_id[i].type_name for i in kept[-11:]] == ["action", "user", "action", "bot", "slot", "action",
                                                        "user", "action", "bot", "slot", "action"]
    assert kept == sorted(kept) and len(set(kept)) == len(kept)


@pytest.mark.parametrize("spec, turns", [
    (f"{START} {TURN} {TURN}", 3),                                 # fewer turns than the window
    (f"{START} {TURN} {TURN} {TURN} {TURN}", 0),                   # window switched off
    (f"{START} {TURN} restart {TURN} {TURN} {TURN}", 2),           # a restart in the part left out
    (f"{START} {TURN} active_loop {TURN} {TURN} {TURN}", 2),       # a form
    (f"{START} {TURN} rewind {TURN} {TURN} {TURN}", 2),            # a rewind
])
def test_recent_part_reads_everything_when_it_must(spec, turns):
    rows = session_rows(spec)
    assert recent_part(rows, turns) == [r.id for r in rows]


def test_recent_part_without_a_session_start_keeps_slots_and_last_turns():
    rows = session_rows(f"{TURN} {TURN} {TURN} {TURN}")  # a start that failed: no session_started
    kept = recent_part(rows, 2)
    assert kept == [9] + list(range(10, 21))  # turn 2's outcome slot (latest before the window), then turns 3-4


def test_a_long_conversation_is_read_in_part_and_written_in_full(tmp_path):
    """The part read has the session start, every slot's latest value and the last turns; writing after
    it stores exactly the new events, as Rasa's store would have after reading everything."""
    domain = Domain.from_yaml('version: "3.1"\nintents: [faq]\nslots:\n' + "".join(
        f"  {name}:\n    type: text\n    mappings:\n    - type: custom\n" for name in ("outcome", "last_answer_id")))
    ours = ReconnectingSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    theirs = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    ours.turns = 2
    tracker = DialogueStateTracker("long", domain.slots)
    events = [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.0),
              ActionExecuted("action_listen", timestamp=1.1)]
    for turn in range(8):
        t = 2.0 + turn
        events += [UserUttered(f"question {turn}", {"name": "faq", "confidence": 0.9}, timestamp=t),
                   ActionExecuted("action_answer_faq", timestamp=t + 0.1), BotUttered(f"answer {turn}", timestamp=t + 0.2)]
        if turn == 0:
            events.append(SlotSet("last_answer_id", "what_is_ned", timestamp=t + 0.3))
        events += [SlotSet("outcome", f"outcome {turn}", timestamp=t + 0.4), ActionExecuted("action_listen", timestamp=t + 0.5)]
    for event in events:
        tracker.update(event)
    for store in (ours, theirs):
        asyncio.run(store.save(tracker))
    part = asyncio.run(ours.retrieve("long"))
    full = asyncio.run(theirs.retrieve("long"))
    assert len(part.events) < len(full.events) == len(events)
    assert part.current_slot_values() == full.current_slot_values()
    assert (part.get_slot("outcome"), part.get_slot("last_answer_id")) == ("outcome 7", "what_is_ned")
    assert part.latest_message.text == full.latest_message.text == "question 7"
    assert any(isinstance(e, SessionStarted) for e in part.events)
    assert [u.text for u in part.events if isinstance(u, UserUttered)] == ["question 6", "question 7"]
    for reread in (part, full):
        reread.update(UserUttered("thanks", {"name": "thank", "confidence": 1.0}, timestamp=20.0))
        reread.update(SlotSet("outcome", "thanked", timestamp=20.1))
    asyncio.run(ours.save(part))
    asyncio.run(theirs.save(full))
    assert stored(f"sqlite:///{tmp_path / 'ours.db'}", "long") == stored(f"sqlite:///{tmp_path / 'rasa.db'}", "long")
    ours.engine.dispose()
    theirs.engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_write_retried_after_its_commit_stores_nothing_twice(kind, tmp_path):
    """A connection that breaks after the commit reached the database: the retried write finds its rows
    already stored and adds nothing; a retry whose first attempt never committed stores them."""
    with temporary_database("mbc_ts", POSTGRES_ADMIN_URL) as pg_url:
        url = f"sqlite:///{tmp_path / 'ours.db'}" if kind == "sqlite" else pg_url
        store = ReconnectingSQLTrackerStore(DOMAIN, **_parts(url))
        asyncio.run(store.save(conversation("retry")))
        tracker = asyncio.run(store.retrieve("retry"))
        before = len(stored(url, "retry"))
        as_read = tracker._mbc_stored
        tracker.update(UserUttered("thanks", {"name": "thank", "confidence": 1.0}, timestamp=5.0))
        tracker.update(ActionExecuted("action_listen", timestamp=5.1))
        store._save(tracker, retried=False)   # the attempt that committed
        tracker._mbc_stored = as_read                       # ... but whose caller saw the line break
        store._save(tracker, retried=True)
        assert len(stored(url, "retry")) == before + 2
        tracker.update(BotUttered("You're welcome", timestamp=5.2))
        store._save(tracker, retried=True)     # a retry whose first attempt stored nothing
        assert [r[1] for r in stored(url, "retry")][-3:] == ["user", "action", "bot"]
        assert len(stored(url, "retry")) == before + 3
        store.engine.dispose()
