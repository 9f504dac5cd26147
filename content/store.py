"""The content store: articles, sections, answers and their vetting records, through SQLAlchemy.

SQLAlchemy 1.4 used in 2.0 style. The URL comes from MBC_CONTENT_DB_URL (any SQLAlchemy URL, e.g.
postgresql://...) and defaults to a SQLite file under var/.
"""
import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.orm import Session, declarative_base, relationship, selectinload

import settings
from settings import content_db_url

Base = declarative_base()


class ArticleRow(Base):
    __tablename__ = "articles"
    id = Column(String(200), primary_key=True)
    title = Column(Text, nullable=False)
    publisher = Column(Text, nullable=False)
    breadcrumb = Column(Text, nullable=False)
    canonical_url = Column(Text, nullable=False)
    url_confirmed = Column(Boolean, nullable=False, default=False)
    retrieved_on = Column(Date, nullable=False)
    text = Column(Text, nullable=False)
    sections = relationship("SectionRow", back_populates="article", order_by="SectionRow.position",
                            cascade="all, delete-orphan")


class SectionRow(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("article_id", "slug"),)
    id = Column(Integer, primary_key=True)
    article_id = Column(String(200), ForeignKey("articles.id"), nullable=False)
    slug = Column(String(200), nullable=False)
    title = Column(Text, nullable=False)
    position = Column(Integer, nullable=False)
    article = relationship("ArticleRow", back_populates="sections")


class AnswerRow(Base):
    __tablename__ = "answers"
    id = Column(String(200), primary_key=True)
    article_id = Column(String(200), ForeignKey("articles.id"), nullable=False)
    section_id = Column(Integer, ForeignKey("sections.id"), nullable=False)
    title = Column(Text, nullable=False)
    text = Column(Text, nullable=False)
    position = Column(Integer, nullable=False)  # index of its first sentence in the article
    article = relationship("ArticleRow")
    section = relationship("SectionRow")
    vettings = relationship("VettingRow", order_by="VettingRow.id", back_populates="answer")


class VettingRow(Base):
    """Append-only history: the newest row is the answer's current status."""
    __tablename__ = "vettings"
    id = Column(Integer, primary_key=True)
    answer_id = Column(String(200), ForeignKey("answers.id"), nullable=False, index=True)
    status = Column(String(20), nullable=False)
    vetted_by = Column(Text, nullable=False)
    vetted_on = Column(Date)
    recorded_at = Column(DateTime, nullable=False, default=dt.datetime.utcnow)
    answer = relationship("AnswerRow", back_populates="vettings")


class NotAnsweredRow(Base):
    __tablename__ = "not_answered"
    id = Column(Integer, primary_key=True)
    article_id = Column(String(200), ForeignKey("articles.id"), nullable=False)
    text = Column(Text, nullable=False)
    reason = Column(Text, nullable=False)


_engines = {}


def get_engine(url: Optional[str] = None):
    """One engine per URL for the process (the content store by default)."""
    url = url or content_db_url()
    if url not in _engines:
        # SQLite: wait for another process's write (the assistant, the review app) instead of failing.
        extra = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}
        _engines[url] = create_engine(url, future=True, pool_pre_ping=True, **extra)
    return _engines[url]


def create_schema(engine) -> None:
    Base.metadata.create_all(engine)


@dataclass(frozen=True)
class ServedAnswer:
    """What the assistant may send: an answer with its current status and its article."""
    id: str
    title: str
    text: str
    status: str
    article_title: str
    article_url: str
    publisher: str


def current_status(answer: AnswerRow) -> str:
    return answer.vettings[-1].status if answer.vettings else "draft"


@dataclass(frozen=True)
class Snapshot:
    """Every answer with its current status, read in one go: what the action server serves from."""
    answers: Dict[str, ServedAnswer]
    placement: Dict[str, Tuple[int, int]]  # answer id -> (section id, position in the article)
    order: Tuple[str, ...]                 # answer ids in article order

    def approved_titles(self) -> Dict[str, str]:
        return {i: self.answers[i].title for i in self.order if self.answers[i].status == "approved"}


# The action server reads the store at most once per CACHE_SECONDS instead of several queries per
# message; an answer an editor withdraws (`make content`) stops being served within that time.
CACHE_SECONDS = settings.get_float("MBC_CONTENT_CACHE_SECONDS")
_snapshots: Dict[str, Tuple[float, Snapshot]] = {}
_snapshot_lock = threading.Lock()


def _read_snapshot(engine) -> Snapshot:
    with Session(engine) as session:
        rows = session.execute(select(AnswerRow).options(selectinload(AnswerRow.vettings),
                                                         selectinload(AnswerRow.article))
                               .order_by(AnswerRow.article_id, AnswerRow.position)).scalars().all()
        answers = {r.id: ServedAnswer(r.id, r.title, r.text, current_status(r), r.article.title,
                                      r.article.canonical_url, r.article.publisher) for r in rows}
        return Snapshot(answers, {r.id: (r.section_id, r.position) for r in rows}, tuple(r.id for r in rows))


def snapshot(engine=None) -> Snapshot:
    engine = engine or get_engine()
    key = str(engine.url)
    now = time.monotonic()
    cached = _snapshots.get(key)
    if cached is None or now - cached[0] > CACHE_SECONDS:
        with _snapshot_lock:
            cached = (now, _read_snapshot(engine))
            _snapshots[key] = cached
    return cached[1]


def forget_snapshots() -> None:
    """Drop cached snapshots (after this process changed the store)."""
    _snapshots.clear()


def find_answer(answer_id: str, engine=None) -> Optional[ServedAnswer]:
    """The answer with its current vetting status, or None if no such answer exists."""
    return snapshot(engine).answers.get(answer_id)


def approved_titles(engine=None) -> dict:
    """{answer id: question title} of every approved answer, in article order."""
    return snapshot(engine).approved_titles()
