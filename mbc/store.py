"""The content store: articles, sections, answers and their vetting records, through SQLAlchemy.

SQLAlchemy 1.4 used in 2.0 style. The URL comes from MBC_CONTENT_DB_URL (any SQLAlchemy URL, e.g.
postgresql://...) and defaults to a SQLite file under var/.
"""
import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Text,
                        UniqueConstraint, create_engine, select)
from sqlalchemy.orm import Session, declarative_base, relationship

from mbc.settings import content_db_url

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
    url = url or content_db_url()
    if url not in _engines:
        _engines[url] = create_engine(url, future=True, pool_pre_ping=True)
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


def find_answer(answer_id: str, engine=None) -> Optional[ServedAnswer]:
    """The answer with its current vetting status, or None if no such answer exists."""
    with Session(engine or get_engine()) as session:
        row = session.execute(select(AnswerRow).where(AnswerRow.id == answer_id)).scalar_one_or_none()
        if row is None:
            return None
        return ServedAnswer(row.id, row.title, row.text, current_status(row), row.article.title,
                            row.article.canonical_url, row.article.publisher)


def approved_titles(engine=None) -> dict:
    """{answer id: question title} of every approved answer, in article order."""
    with Session(engine or get_engine()) as session:
        rows = session.execute(select(AnswerRow).order_by(AnswerRow.article_id, AnswerRow.position)).scalars()
        return {r.id: r.title for r in rows if current_status(r) == "approved"}
