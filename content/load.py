"""Load data/content/ into the content store: `python -m content.load [--url URL] [--check]`.

Idempotent: it makes the store match data/ exactly. Vetting history is kept: a new vetting row is
written only when an answer's status, vetter or date changed; an answer removed from data/ is kept
with a `retired` record. Bad content is refused with every problem listed and the store untouched.
"""
import argparse
import sys

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from content.files import Content, ContentError, load_content
from content.store import (
    AnswerRow,
    ArticleRow,
    NotAnsweredRow,
    SectionRow,
    VettingRow,
    create_schema,
    forget_snapshots,
    get_engine,
)
from understanding.spacy_pipeline import load_pipeline

REMOVED_BY = "loader: answer removed from data/content"


def _sync_article(session: Session, article) -> dict:
    meta = article.meta
    row = session.get(ArticleRow, article.id) or ArticleRow(id=article.id)
    row.title, row.publisher, row.breadcrumb = meta["title"], meta["publisher"], meta["breadcrumb"]
    row.canonical_url, row.url_confirmed = meta["canonical_url"], bool(meta["url_confirmed"])
    row.retrieved_on, row.text = meta["retrieved_on"], article.text
    session.add(row)
    session.flush()
    existing = {s.slug: s for s in row.sections}
    for position, section in enumerate(meta["sections"]):
        srow = existing.pop(section["id"], None) or SectionRow(article_id=article.id, slug=section["id"])
        srow.title, srow.position = section["title"], position
        session.add(srow)
    session.flush()
    return {s.slug: s.id for s in session.execute(
        select(SectionRow).where(SectionRow.article_id == article.id)).scalars()}


def sync(content: Content, engine) -> dict:
    counts = {"answers": 0, "vetting_records_added": 0, "retired": 0}
    with Session(engine) as session, session.begin():
        section_ids = {a.id: _sync_article(session, a) for a in content.articles.values()}
        for answer in content.answers.values():
            row = session.get(AnswerRow, answer.id) or AnswerRow(id=answer.id)
            row.article_id, row.title, row.text = answer.article_id, answer.title, answer.text
            row.section_id = section_ids[answer.article_id][answer.section_id]
            row.position = answer.unit_indices[0]
            session.add(row)
            last = row.vettings[-1] if row.vettings else None
            if last is None or (last.status, last.vetted_by, last.vetted_on) != (
                    answer.status, answer.vetted_by, answer.vetted_on):
                row.vettings.append(VettingRow(status=answer.status, vetted_by=answer.vetted_by,
                                               vetted_on=answer.vetted_on))
                counts["vetting_records_added"] += 1
            counts["answers"] += 1
        for row in session.execute(select(AnswerRow)).scalars():
            if row.id not in content.answers and (not row.vettings or row.vettings[-1].status != "retired"):
                row.vettings.append(VettingRow(status="retired", vetted_by=REMOVED_BY))
                counts["retired"] += 1
        session.execute(delete(NotAnsweredRow))
        session.add_all(NotAnsweredRow(**{k: n[k] for k in ("article_id", "text", "reason")})
                        for n in content.not_answered)
    forget_snapshots()
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: MBC_CONTENT_DB_URL or var/content.db)")
    parser.add_argument("--check", action="store_true", help="only check data/content, write nothing")
    args = parser.parse_args(argv)
    try:
        content = load_content(load_pipeline())
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    approved = sum(a.status == "approved" for a in content.answers.values())
    print(f"content ok: {len(content.articles)} article(s), {len(content.answers)} answers "
          f"({approved} approved), {len(content.not_answered)} sentences deliberately not answered")
    if args.check:
        return 0
    engine = get_engine(args.url)
    create_schema(engine)
    counts = sync(content, engine)
    print(f"content store {engine.url.render_as_string(hide_password=True)}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
