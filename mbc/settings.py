"""Configuration from the environment, with defaults that need nothing installed by hand."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "data" / "content"
SPACY_MODEL_DIR = Path(os.environ.get("MBC_SPACY_MODEL", ROOT / "models" / "spacy" / "en_mbc"))
STATE_DIR = Path(os.environ.get("MBC_STATE_DIR", ROOT / "var"))


def content_db_url() -> str:
    """SQLAlchemy URL of the content store; a SQLite file under var/ unless MBC_CONTENT_DB_URL is set."""
    url = os.environ.get("MBC_CONTENT_DB_URL")
    if url:
        return url
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{STATE_DIR / 'content.db'}"
