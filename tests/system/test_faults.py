"""Faults on real processes (the `scaleout` fixture: two Rasa servers and two action servers behind
nginx, PostgreSQL, Redis): action servers killed mid-conversation, a Rasa server killed and started
again, the database dropping every connection. People must get a kind reply quickly, the conversation
must go on, and the tracker store must keep every message and reply once, in order."""
import signal
import time
import uuid

import sqlalchemy as sa

from runtime.processor import UNAVAILABLE, safety_note
from tests.conversation_log import expected, say, stored

STABLE_DISEASE = "This is called stable disease."


class Conversation:
    def __init__(self, cluster, name):
        self.cluster, self.sender, self.turns = cluster, f"{name}-{uuid.uuid4().hex}", []

    def say(self, url, text):
        started = time.monotonic()
        replies = say(url, self.sender, text)
        self.turns.append((text, replies))
        return replies, time.monotonic() - started

    def check_stored(self):
        assert stored(self.cluster.db_url, self.sender) == expected(self.turns)


def answered(replies):
    return any(STABLE_DISEASE in (r or "") for r in replies)


def test_action_servers_killed_kind_reply_within_2s_then_answers_resume(scaleout):
    rasa1, rasa2 = scaleout.rasa_urls
    talk = Conversation(scaleout, "actions-down")
    talk.say(scaleout.public_url, "hello")
    try:
        scaleout.stop("actions1", sig=signal.SIGKILL)
        replies, _ = talk.say(rasa1, "what is stable disease")
        assert answered(replies), "the other action server answers through nginx"
        scaleout.stop("actions2", sig=signal.SIGKILL)
        for url in (rasa2, scaleout.public_url, rasa1):
            replies, seconds = talk.say(url, "what is stable disease")
            assert replies == [UNAVAILABLE, safety_note("us")], replies
            assert seconds < 2, seconds
        newcomer = Conversation(scaleout, "first-message-in-outage")
        assert newcomer.say(scaleout.public_url, "what is stable disease")[0] == [UNAVAILABLE, safety_note("us")]
    finally:
        for name in ("actions1", "actions2"):
            if scaleout.procs[name].poll() is not None:
                scaleout.start(name)
    # Back: answers resume (nginx may hold a failed server back a few seconds).
    deadline = time.monotonic() + 20
    while True:
        replies, _ = talk.say(scaleout.public_url, "what is stable disease")
        if answered(replies) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert answered(replies), replies
    assert answered(talk.say(rasa2, "what is stable disease")[0])
    talk.check_stored()
    # The conversation that began in the outage gets its disclaimer now, before its first answer.
    replies, _ = newcomer.say(rasa1, "what is stable disease")
    assert "not medical advice" in replies[0] and answered(replies), replies
    newcomer.check_stored()


def test_rasa_server_killed_and_started_again_mid_conversation(scaleout):
    rasa1, rasa2 = scaleout.rasa_urls
    talk = Conversation(scaleout, "rasa-restart")
    talk.say(rasa1, "hello")
    talk.say(scaleout.public_url, "what is NED")
    try:
        scaleout.stop("rasa1", sig=signal.SIGKILL)
        for url in (scaleout.public_url, rasa2, scaleout.public_url):  # nginx passes over the dead server
            replies, _ = talk.say(url, "what is stable disease")
            assert answered(replies)
    finally:
        if scaleout.procs["rasa1"].poll() is not None:
            scaleout.start("rasa1")
    for url in (rasa1, scaleout.public_url, rasa1):
        assert answered(talk.say(url, "what is stable disease")[0])
    talk.check_stored()


def terminate_connections(db_url):
    """Drop every other connection to this database, as a PostgreSQL restart or failover would."""
    name = db_url.rsplit("/", 1)[1]
    engine = sa.create_engine(db_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                        "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": name}).scalar_one()
    finally:
        engine.dispose()


def test_database_connections_lost_mid_conversation(scaleout):
    rasa1, rasa2 = scaleout.rasa_urls
    talk = Conversation(scaleout, "db-lost")
    talk.say(rasa1, "hello")
    talk.say(rasa2, "what is NED")
    for _ in range(2):
        assert terminate_connections(scaleout.db_url) >= 2, "both Rasa servers had connections to lose"
        for url in (rasa1, rasa2, scaleout.public_url):
            replies, _ = talk.say(url, "what is stable disease")
            assert answered(replies), replies
    talk.check_stored()
    assert len(talk.turns) == 8
