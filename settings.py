"""Every environment variable the project reads: its default and one line of meaning.

No other module reads `os.environ` for a setting (tests/unit/test_settings.py checks): code asks
`settings.get("MBC_...")` (or get_int / get_float / get_flag / get_list), which returns the variable
when it is set and not empty, else the default here. Rasa itself reads some of them through the
`${...}` placeholders of the files `make run` writes (endpoints, channel credentials).

`python -m settings export` prints shell `export` lines with every default filled in (scripts/env.sh
sources them); `python -m settings table` prints the configuration table that docs/configuration.md
holds (a test checks they match). Standard library only: the shell scripts call it before the
virtual environment exists.
"""
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Union

ROOT = Path(__file__).resolve().parent
Default = Union[str, Callable[[], str], None]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Default
    meaning: str
    group: str
    shown_default: str = ""  # how the table shows a default worked out from other settings

    def default_text(self) -> str:
        if self.shown_default:
            return self.shown_default
        return "unset" if self.default is None else (self.default or "empty")


def _state(name: str) -> Callable[[], str]:
    return lambda: f"sqlite:///{state_dir() / name}"


def _web_origins() -> str:
    port = get("MBC_WEB_PORT")
    return f"http://localhost:{port} http://127.0.0.1:{port}"


RUN, STORE, REPLIES, SCALE, REVIEW, CHANNELS, TUNING, MEASURE = (
    "Where the servers listen", "Storage", "Replies", "Scale-out and limits", "Staff review app",
    "Messaging channels (each channel is on when all of its variables are set)",
    "Performance tuning", "Tests and measurement")

SETTINGS: List[Setting] = [
    Setting("MBC_STATE_DIR", str(ROOT / "var"), "where the SQLite files, the written Rasa files and the action secret live", STORE, "var/"),
    Setting("MBC_TRACKER_DB_URL", _state("tracker.db"), "Rasa's SQL tracker store: every conversation, for staff review; any SQLAlchemy URL, e.g. postgresql://user:pass@host:5432/mbc", STORE, "sqlite:///var/tracker.db"),
    Setting("MBC_CONTENT_DIR", str(ROOT / "data" / "content"), "the vetted content files (articles/ and answers/) that `make content` checks and loads and training reads", STORE, "data/content"),
    Setting("MBC_CONTENT_DB_URL", _state("content.db"), "the content store (articles, answers, vetting records)", STORE, "sqlite:///var/content.db"),
    Setting("MBC_REVIEW_DB_URL", _state("review.db"), "the staff review app's own tables (its own file, so staff writes never wait on the assistant's)", STORE, "sqlite:///var/review.db"),
    Setting("MBC_SPACY_MODEL", str(ROOT / "models" / "spacy" / "en_mbc"), "the project's spaCy pipeline, built by `make spacy`", STORE, "models/spacy/en_mbc"),
    Setting("MBC_CONTENT_CACHE_SECONDS", "2", "how long an action server serves its snapshot of the content store before reading it again", STORE),
    Setting("MBC_RETENTION_DAYS", "365", "conversations idle longer than this are deleted by `make retention`", STORE),

    Setting("MBC_RASA_PORT", "5005", "the Rasa server (REST and socket.io channels; nginx in scale-out mode)", RUN),
    Setting("MBC_RASA_HOST", "127.0.0.1", "the interface the Rasa server (or nginx) listens on", RUN),
    Setting("MBC_ACTION_PORT", "5055", "the action server", RUN),
    Setting("MBC_ACTION_HOST", "127.0.0.1", "the interface the action server listens on", RUN),
    Setting("MBC_ACTION_URL", lambda: f"http://127.0.0.1:{get('MBC_ACTION_PORT')}/webhook", "how Rasa reaches the action server", RUN, "http://127.0.0.1:5055/webhook"),
    Setting("MBC_ACTION_SECRET", None, "the bearer secret the action server demands; `make run` makes a new one at every start", RUN),
    Setting("MBC_WEB_PORT", "8080", "the chat widget's demo page", RUN),
    Setting("MBC_WEB_HOST", "127.0.0.1", "the interface the widget page server listens on", RUN),
    Setting("MBC_PUBLIC_RASA_URL", lambda: f"http://localhost:{get('MBC_RASA_PORT')}", "the Rasa URL the widget page gives browsers", RUN, "http://localhost:5005"),
    Setting("MBC_WEB_ORIGINS", _web_origins, "browser origins allowed to connect over socket.io (space-separated; never * by default)", RUN, "http://localhost:8080 http://127.0.0.1:8080"),
    Setting("MBC_CORS_ORIGINS", lambda: get("MBC_WEB_ORIGINS"), "origins in Rasa's CORS list for REST", RUN, "MBC_WEB_ORIGINS"),
    Setting("MBC_REVIEW_PORT", "8090", "the staff review app", RUN),
    Setting("MBC_REVIEW_HOST", "127.0.0.1", "the interface the staff review app listens on", RUN),

    Setting("MBC_HELP_LINES", "us", "which region of data/safety/help_lines.yml (emergency and crisis numbers) replies use", REPLIES),
    Setting("MBC_ACTION_TIMEOUT", "10", "seconds before a custom action counts as failed and the kind 'try again' reply is sent", REPLIES),

    Setting("MBC_REDIS_URL", None, "Redis for the conversation lock, rate counters and Slack replay cache shared by several Rasa servers (scale-out)", SCALE),
    Setting("MBC_REDIS_PREFIX", "mbc", "prefix of this deployment's Redis keys (letters and digits)", SCALE),
    Setting("MBC_SERVERS", "2", "Rasa servers and action servers started by `make run-scaleout`", SCALE),
    Setting("MBC_RATE_PER_SENDER", "20", "messages a minute one conversation may send (0 = no limit)", SCALE),
    Setting("MBC_RATE_PER_ADDRESS", "120", "messages a minute one network address may send (0 = no limit)", SCALE),
    Setting("MBC_RATE_EXEMPT", "127.0.0.1 ::1", "addresses not counted per address (space-separated)", SCALE),
    Setting("MBC_PUBLISH_DIR", lambda: str(state_dir() / "published"), "where publishing puts the model the model server hands out (`make publish`, the staff app's editors)", SCALE, "var/published"),
    Setting("MBC_MODEL_SERVER_PORT", "5090", "nginx's loopback port that serves the published model to the Rasa servers (scale-out)", SCALE),
    Setting("MBC_MODEL_URL", None, "Rasa's model server: each Rasa server pulls its model from here and picks up a newly published one (set by `make run-scaleout`)", SCALE),
    Setting("MBC_MODEL_PULL_SECONDS", "10", "how often each Rasa server asks the model server for a new model", SCALE),
    Setting("MBC_TRUST_PROXY", "0", "1 behind a reverse proxy that sets X-Real-IP (set by `make run-scaleout`)", SCALE),

    Setting("MBC_REVIEW_IDLE_MINUTES", "30", "a staff session ends after this long without a request", REVIEW),
    Setting("MBC_REVIEW_MAX_SESSION_HOURS", "12", "a staff session ends after this long in any case", REVIEW),
    Setting("MBC_REVIEW_SECURE_COOKIES", "1", "0 only for plain-http setups other than localhost", REVIEW),
    Setting("MBC_REVIEW_PASSWORD", None, "the new account's password for `make staff-user` without a terminal (else it asks)", REVIEW),
    Setting("MBC_REDACT_WORKERS", lambda: str(max(1, min(4, os.cpu_count() or 1))), "worker processes that redact the indexer's large batches (1: none, all in the app's own process)", REVIEW, "the machine's cores, at most 4"),

    Setting("MBC_TELEGRAM_TOKEN", None, "Telegram bot token", CHANNELS),
    Setting("MBC_TELEGRAM_BOT_NAME", None, "Telegram bot name", CHANNELS),
    Setting("MBC_TELEGRAM_WEBHOOK_URL", None, "public URL of /webhooks/telegram/webhook", CHANNELS),
    Setting("MBC_TELEGRAM_SECRET_TOKEN", None, "the webhook's secret token (requests without it get 403)", CHANNELS),
    Setting("MBC_TWILIO_ACCOUNT_SID", None, "Twilio account (SMS and WhatsApp)", CHANNELS),
    Setting("MBC_TWILIO_AUTH_TOKEN", None, "Twilio auth token (checks X-Twilio-Signature)", CHANNELS),
    Setting("MBC_TWILIO_SMS_NUMBER", None, "the SMS sender number", CHANNELS),
    Setting("MBC_TWILIO_SMS_WEBHOOK_URL", None, "public URL of /webhooks/twilio/webhook, exactly as Twilio signs it", CHANNELS),
    Setting("MBC_TWILIO_WHATSAPP_NUMBER", None, "the WhatsApp sender, as whatsapp:+1...", CHANNELS),
    Setting("MBC_TWILIO_WHATSAPP_WEBHOOK_URL", None, "public URL of /webhooks/twilio_whatsapp/webhook", CHANNELS),
    Setting("MBC_SLACK_BOT_TOKEN", None, "Slack bot token", CHANNELS),
    Setting("MBC_SLACK_SIGNING_SECRET", None, "Slack signing secret (checks X-Slack-Signature)", CHANNELS),
    Setting("MBC_MESSENGER_VERIFY_TOKEN", None, "Facebook Messenger webhook verify token", CHANNELS),
    Setting("MBC_MESSENGER_APP_SECRET", None, "Facebook app secret (checks X-Hub-Signature-256)", CHANNELS),
    Setting("MBC_MESSENGER_PAGE_TOKEN", None, "Facebook page access token", CHANNELS),
    Setting("MBC_TELEGRAM_API_URL", None, "another Telegram API base URL (the tests' stand-in)", CHANNELS),
    Setting("MBC_TWILIO_API_URL", None, "another Twilio API base URL (the tests' stand-in)", CHANNELS),
    Setting("MBC_SLACK_API_URL", None, "another Slack API base URL (the tests' stand-in)", CHANNELS),
    Setting("MBC_MESSENGER_API_URL", None, "another Messenger Graph API base URL (the tests' stand-in)", CHANNELS),

    Setting("MBC_TRACKER_TURNS", "2", "user turns before a new message that Rasa is handed (with the session start and each slot's latest value); 0 hands it the whole session; the database keeps everything", TUNING),
    Setting("MBC_BLAS_THREADS", "1", "OpenBLAS threads in each Rasa server process: a message's few small matrix products gain nothing from threads, and concurrent conversations already use the cores", TUNING),
    Setting("MBC_TRACKER_THREADS", None, "threads doing the tracker store's database work beside Rasa's event loop", TUNING, "1 for SQLite, 4 otherwise"),

    Setting("MBC_SHARED_DIR", str(ROOT.parent / "shared"), "the outside evaluation sets and scorer used by `make eval` when present", MEASURE, "../shared"),
    Setting("MBC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres", "the PostgreSQL server the tests make their databases on", MEASURE),
    Setting("MBC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0", "the Redis server the tests use (under a key prefix of their own)", MEASURE),
    Setting("MBC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0", "the Redis server `make bench` uses for the scale-out runs", MEASURE),
    Setting("MBC_TRACKER_DB_URL_OVERRIDE", None, "a tracker store URL for the servers that tests, `make eval` and `make bench` start (default: a SQLite file of their own)", MEASURE),
    Setting("MBC_SHELL_PORT", None, "the port of `make shell`'s own Rasa server", MEASURE, "MBC_RASA_PORT + 1"),
]
BY_NAME = {setting.name: setting for setting in SETTINGS}


def get(name: str) -> Optional[str]:
    """The variable's value when set and not empty, else its default (None when it has none)."""
    setting = BY_NAME[name]  # an undeclared name is a bug: declare it above
    value = os.environ.get(name)
    if value:
        return value
    return setting.default() if callable(setting.default) else setting.default


def get_int(name: str) -> Optional[int]:
    value = get(name)
    return None if value is None else int(value)


def get_float(name: str) -> float:
    return float(get(name))


def get_flag(name: str) -> bool:
    return get(name) == "1"


def get_list(name: str) -> List[str]:
    return (get(name) or "").split()


def state_dir() -> Path:
    return Path(get("MBC_STATE_DIR"))


def spacy_model_dir() -> Path:
    return Path(get("MBC_SPACY_MODEL"))


def content_db_url() -> str:
    """SQLAlchemy URL of the content store; a SQLite file in the state folder unless set."""
    if not os.environ.get("MBC_CONTENT_DB_URL"):
        state_dir().mkdir(parents=True, exist_ok=True)
    return get("MBC_CONTENT_DB_URL")


def table() -> str:
    """The configuration table, by group, in Markdown."""
    lines = []
    for group in dict.fromkeys(s.group for s in SETTINGS):
        lines += [f"### {group}", "", "| variable | default | meaning |", "|---|---|---|"]
        lines += [f"| `{s.name}` | `{s.default_text()}` | {s.meaning} |" for s in SETTINGS if s.group == group]
        lines.append("")
    return "\n".join(lines)


def exports() -> str:
    """`export NAME=value` for every setting that has a value, defaults filled in."""
    return "\n".join(f"export {s.name}={shlex.quote(get(s.name))}" for s in SETTINGS if get(s.name) is not None)


if __name__ == "__main__":
    commands = {"export": exports, "table": table}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: python -m settings export|table")
    print(commands[sys.argv[1]]())
