"""Staff accounts and sessions: Argon2 password hashes, server-side sessions that expire when idle,
and a CSRF token per session. Only a SHA-256 of the session cookie is stored."""
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from review.schema import sessions, users

# reviewer: conversations and training examples; editor: that, and the articles (import, vet, publish);
# admin: everything, and the audit log.
ROLES = ("reviewer", "editor", "admin")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")
MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_editor(self) -> bool:
        return self.role in ("editor", "admin")


def now() -> dt.datetime:
    return dt.datetime.utcnow()


def _check_length(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters")


def create_user(conn, username: str, password: str, role: str) -> None:
    if not USERNAME.match(username or ""):
        raise AccountError("A username is 2-80 letters, digits or . _ @ -")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}")
    _check_length(password)
    if conn.execute(sa.select(users.c.id).where(users.c.username == username)).first():
        raise AccountError(f"There is already a user called {username}")
    conn.execute(users.insert().values(username=username, password_hash=_hasher.hash(password), role=role,
                                       active=True, created_at=now()))


def set_password(conn, username: str, password: str) -> None:
    _check_length(password)
    result = conn.execute(users.update().where(users.c.username == username)
                          .values(password_hash=_hasher.hash(password)))
    if result.rowcount != 1:
        raise AccountError(f"No user called {username}")


def check_password(conn, username: str, password: str) -> Optional[int]:
    """The user's id if the password is right and the account active, else None."""
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        conn.execute(users.update().where(users.c.id == row.id).values(password_hash=_hasher.hash(password)))
    return row.id


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(conn, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(sessions.insert().values(token_hash=_digest(token), user_id=user_id,
                                          csrf_token=secrets.token_urlsafe(32), created_at=now(), last_seen=now()))
    return token


def current_staff(conn, token: Optional[str], idle_minutes: int, max_hours: int) -> Optional[Staff]:
    """The signed-in staff member for a session cookie; expired sessions are deleted, not resumed."""
    if not token:
        return None
    row = conn.execute(sa.select(sessions, users.c.username, users.c.role, users.c.active)
                       .join(users, users.c.id == sessions.c.user_id)
                       .where(sessions.c.token_hash == _digest(token))).first()
    if row is None:
        return None
    t = now()
    if (not row.active or t - row.last_seen > dt.timedelta(minutes=idle_minutes)
            or t - row.created_at > dt.timedelta(hours=max_hours)):
        conn.execute(sessions.delete().where(sessions.c.token_hash == row.token_hash))
        return None
    conn.execute(sessions.update().where(sessions.c.token_hash == row.token_hash).values(last_seen=t))
    return Staff(row.user_id, row.username, row.role, row.csrf_token)


def end_session(conn, token: Optional[str]) -> None:
    if token:
        conn.execute(sessions.delete().where(sessions.c.token_hash == _digest(token)))


def same_token(expected: str, given: Optional[str]) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given)
