"""Shared fixtures: the project's spaCy pipeline, its content, and content stores on real databases."""
import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from mbc.content import load_content
from mbc.load_content import sync
from mbc.nlp import load_pipeline
from mbc.store import create_schema, get_engine

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get("MBC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


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
    name = f"mbc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    get_engine(url).dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
