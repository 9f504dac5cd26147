"""A throw-away PostgreSQL database, for tests and benchmarks on the real server (never the caller's own)."""
import contextlib
import uuid

import sqlalchemy as sa

import settings

ADMIN_URL = settings.get("MBC_TEST_POSTGRES_URL")


@contextlib.contextmanager
def temporary_database(prefix: str = "mbc_test", admin_url: str = ADMIN_URL):
    """Yield the URL of a new, empty database; drop it (closing any connection left) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
