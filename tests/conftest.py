"""Shared fixtures: the project's spaCy pipeline, its content, and content stores on real databases."""
import shutil
import uuid
from pathlib import Path

import pytest

import settings
from content.files import load_content
from content.load import sync
from content.store import create_schema, get_engine
from scripts.pg import temporary_database
from understanding.spacy_pipeline import load_pipeline

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = settings.get("MBC_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def nlp():
    return load_pipeline()


@pytest.fixture(scope="session")
def content(nlp):
    return load_content(nlp)


@pytest.fixture
def content_copy(tmp_path):
    """A writable copy of data/content for tests that break it on purpose."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "data" / "content", target)
    return target


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'content.db'}"


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database for one test, dropped afterwards. CI must have PostgreSQL: no skip."""
    with temporary_database("mbc_test", POSTGRES_ADMIN_URL) as url:
        yield url
        get_engine(url).dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'content.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def loaded_store(content, store_url):
    engine = get_engine(store_url)
    create_schema(engine)
    sync(content, engine)
    return store_url


REDIS_URL = settings.get("MBC_TEST_REDIS_URL")


@pytest.fixture(scope="session")
def scaleout_db_url():
    """A fresh PostgreSQL database for this run's scale-out and fault tests, dropped afterwards."""
    with temporary_database("mbc_scaleout", POSTGRES_ADMIN_URL) as url:
        yield url


@pytest.fixture(scope="session")
def redis_prefix():
    """A key prefix of this run's own on the real Redis (which others may share); its keys are deleted
    afterwards. CI must have Redis: no skip."""
    import redis

    prefix = f"mbctest{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


SCALEOUT_LIMITS = {"MBC_RATE_PER_SENDER": 12, "MBC_RATE_PER_ADDRESS": 30}
SCALEOUT_SLACK_SECRET = "test-signing-secret"


@pytest.fixture(scope="session")
def scaleout(tmp_path_factory, content, scaleout_db_url, redis_prefix):
    """Two Rasa servers and two action servers behind nginx, on PostgreSQL and Redis, for the whole run
    (tests that stop a process start it again)."""
    from scripts.scaleout import running_scaleout
    from tests import platform_standin

    tmp = tmp_path_factory.mktemp("scaleout")
    content_url = f"sqlite:///{tmp / 'content.db'}"
    create_schema(get_engine(content_url))
    sync(content, get_engine(content_url))
    slack_api, _ = platform_standin.start("unused")  # Slack is on, to check its replay cache in Redis
    try:
        with running_scaleout(tmp, [16101, 16102], [16151, 16152], public_port=16080, actions_port=16081,
                              models_port=16082,
                              MBC_TRACKER_DB_URL=scaleout_db_url, MBC_REDIS_URL=REDIS_URL,
                              MBC_REDIS_PREFIX=redis_prefix, MBC_CONTENT_DB_URL=content_url,
                              MBC_SLACK_BOT_TOKEN="xoxb-test", MBC_SLACK_SIGNING_SECRET=SCALEOUT_SLACK_SECRET,
                              MBC_SLACK_API_URL=f"http://127.0.0.1:{slack_api.server_address[1]}/api/",
                              **{k: str(v) for k, v in SCALEOUT_LIMITS.items()}) as cluster:
            cluster.db_url = scaleout_db_url
            yield cluster
    finally:
        slack_api.shutdown()
