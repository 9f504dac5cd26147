"""The content store on a real SQLite file and a real PostgreSQL: loading, idempotence, vetting history."""
import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.load import REMOVED_BY, sync
from content.load import main as load_main
from content.store import (
    AnswerRow,
    ArticleRow,
    NotAnsweredRow,
    SectionRow,
    VettingRow,
    approved_titles,
    find_answer,
    get_engine,
)


def _count(engine, model):
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_load_writes_articles_sections_answers_and_vetting(content, loaded_store):
    engine = get_engine(loaded_store)
    assert _count(engine, ArticleRow) == len(content.articles)
    assert _count(engine, SectionRow) == sum(len(a.meta["sections"]) for a in content.articles.values())
    assert _count(engine, AnswerRow) == len(content.answers)
    assert _count(engine, VettingRow) == len(content.answers)
    assert _count(engine, NotAnsweredRow) == len(content.not_answered)
    with Session(engine) as session:
        article = session.execute(select(ArticleRow)).scalar_one()
        assert article.url_confirmed is next(iter(content.articles.values())).meta["url_confirmed"]
        assert article.breadcrumb.startswith("About Breast Cancer")


def test_loading_twice_changes_nothing(content, loaded_store):
    engine = get_engine(loaded_store)
    before = {m.__name__: _count(engine, m) for m in (ArticleRow, SectionRow, AnswerRow, VettingRow, NotAnsweredRow)}
    counts = sync(content, engine)
    after = {m.__name__: _count(engine, m) for m in (ArticleRow, SectionRow, AnswerRow, VettingRow, NotAnsweredRow)}
    assert before == after
    assert counts["vetting_records_added"] == 0 and counts["retired"] == 0


def test_status_change_is_recorded_and_served(content, loaded_store):
    engine = get_engine(loaded_store)
    answer = content.answers["what_is_ned"]
    changed = dataclasses.replace(content, answers={**content.answers,
                                                    "what_is_ned": dataclasses.replace(answer, status="draft")})
    assert sync(changed, engine)["vetting_records_added"] == 1
    assert find_answer("what_is_ned", engine).status == "draft"
    assert "what_is_ned" not in approved_titles(engine)
    with Session(engine) as session:
        history = session.execute(select(VettingRow.status).where(VettingRow.answer_id == "what_is_ned")
                                  .order_by(VettingRow.id)).scalars().all()
    assert history == ["approved", "draft"]


def test_answer_removed_from_data_is_retired_not_deleted(content, loaded_store):
    engine = get_engine(loaded_store)
    remaining = {k: v for k, v in content.answers.items() if k != "who_can_get_mbc"}
    sync(dataclasses.replace(content, answers=remaining), engine)
    answer = find_answer("who_can_get_mbc", engine)
    assert answer is not None and answer.status == "retired"
    with Session(engine) as session:
        last = session.execute(select(VettingRow).where(VettingRow.answer_id == "who_can_get_mbc")
                               .order_by(VettingRow.id.desc())).scalars().first()
        assert last.vetted_by == REMOVED_BY


def test_find_answer_returns_the_article_link(content, loaded_store):
    answer = find_answer("what_is_stable_disease", get_engine(loaded_store))
    assert answer.text == content.answers["what_is_stable_disease"].text
    assert answer.article_url.startswith("https://") and answer.status == "approved"
    assert find_answer("no_such_answer", get_engine(loaded_store)) is None


def test_titles_in_article_order(content, loaded_store):
    titles = approved_titles(get_engine(loaded_store))
    order = [a.id for a in sorted(content.answers.values(), key=lambda a: a.unit_indices[0])]
    assert list(titles) == [i for i in order if i in titles]


def test_loader_command_is_idempotent_on_a_sqlite_file(sqlite_url, capsys):
    assert load_main(["--url", sqlite_url]) == 0
    assert load_main(["--url", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "'vetting_records_added': 0" in out.splitlines()[-1]


def test_loader_command_refuses_bad_content_and_writes_nothing(tmp_path, content_copy, sqlite_url, capsys,
                                                                monkeypatch):
    import content.files
    import content.load as loader
    broken = next((content_copy / "answers").glob("*.yml"))
    broken.write_text(broken.read_text(encoding="utf-8").replace("This is called stable disease.",
                                                                  "This is known as stable disease."),
                      encoding="utf-8")
    monkeypatch.setattr(loader, "load_content", lambda nlp: content.files.load_content(nlp, content_copy))
    assert loader.main(["--url", sqlite_url]) == 1
    assert "not found verbatim in its article" in capsys.readouterr().err
    assert not (tmp_path / "content.db").exists()
