"""The project's SQL tracker store writes exactly the rows Rasa's own store writes (one INSERT instead of
one ORM object per event), once, on SQLite and PostgreSQL."""
import asyncio

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from mbc.tracker_store import ReconnectingSQLTrackerStore
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
