"""The review app's settings, from the environment (scripts/env.sh sets the defaults)."""
import os
from dataclasses import dataclass
from pathlib import Path

from mbc.settings import STATE_DIR


def _state_file(name: str) -> str:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{STATE_DIR / name}"


@dataclass(frozen=True)
class Settings:
    tracker_db_url: str        # Rasa's SQL tracker store (read; retention deletes from it)
    review_db_url: str         # the review app's own tables
    host: str = "127.0.0.1"
    port: int = 8090
    idle_minutes: int = 30     # a staff session ends after this long without a request
    max_session_hours: int = 12
    secure_cookies: bool = True
    retention_days: int = 365

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        return cls(
            tracker_db_url=env.get("MBC_TRACKER_DB_URL") or _state_file("tracker.db"),
            # Its own file by default, so staff writes never wait on the live assistant's SQLite lock.
            review_db_url=env.get("MBC_REVIEW_DB_URL") or _state_file("review.db"),
            host=env.get("MBC_REVIEW_HOST", "127.0.0.1"),
            port=int(env.get("MBC_REVIEW_PORT", "8090")),
            idle_minutes=int(env.get("MBC_REVIEW_IDLE_MINUTES", "30")),
            max_session_hours=int(env.get("MBC_REVIEW_MAX_SESSION_HOURS", "12")),
            # Off only for plain-http development setups that are not localhost.
            secure_cookies=env.get("MBC_REVIEW_SECURE_COOKIES", "1") != "0",
            retention_days=int(env.get("MBC_RETENTION_DAYS", "365")),
        )


TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
