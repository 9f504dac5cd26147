"""The review app's settings, read once from the project's settings module."""
from dataclasses import dataclass
from pathlib import Path

import settings as project


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
        project.state_dir().mkdir(parents=True, exist_ok=True)
        return cls(
            tracker_db_url=project.get("MBC_TRACKER_DB_URL"),
            review_db_url=project.get("MBC_REVIEW_DB_URL"),
            host=project.get("MBC_REVIEW_HOST"),
            port=project.get_int("MBC_REVIEW_PORT"),
            idle_minutes=project.get_int("MBC_REVIEW_IDLE_MINUTES"),
            max_session_hours=project.get_int("MBC_REVIEW_MAX_SESSION_HOURS"),
            secure_cookies=project.get("MBC_REVIEW_SECURE_COOKIES") != "0",
            retention_days=project.get_int("MBC_RETENTION_DAYS"),
        )


TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
