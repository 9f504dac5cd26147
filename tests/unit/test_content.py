"""Vetted means verbatim: every answer is whole sentences or list items of its article, in order,
and every sentence of the article body is answered or deliberately not answered."""
import hashlib
from pathlib import Path

import pytest
import yaml

import settings
from content.article import split_answer
from content.files import ContentError, join_content, load_content, uncovered_units

ROOT = settings.ROOT
SHARED_SOURCE = ROOT.parent / "shared" / "source"


FIXTURE = ROOT / "tests" / "fixtures" / "content"  # a second article, for the tests only


@pytest.fixture(scope="module", params=["data/content", "data/content + the fixture article"])
def library(request, nlp, content, tmp_path_factory):
    """The content as served, and the content with the second (fixture) article beside it."""
    if request.param == "data/content":
        return content
    joined = join_content(tmp_path_factory.mktemp("library"), ROOT / "data" / "content", FIXTURE)
    return load_content(nlp, joined)


def test_every_answer_of_every_article_is_whole_sentences_of_its_own_article_in_order(library, nlp):
    assert library.answers, "no answers loaded"
    assert len({a.article_id for a in library.answers.values()}) == len(library.articles)
    for answer in library.answers.values():
        content = library
        units = content.articles[answer.article_id].parsed.units
        pieces = split_answer(nlp, answer.text)
        assert [(u.kind, u.text) for u in (units[i] for i in answer.unit_indices)] == pieces
        assert answer.unit_indices == sorted(answer.unit_indices)
        # The quoted units, joined as the answer joins them, are the answer text exactly.
        assert all(text in answer.text for _, text in pieces)


def test_article_body_is_fully_covered(content):
    assert uncovered_units(content) == []
    answered = {i for a in content.answers.values() if a.status == "approved" for i in a.unit_indices}
    explained = {n["unit"] for n in content.not_answered}
    article = next(iter(content.articles.values()))
    assert answered | explained == {u.index for u in article.parsed.units}


def test_publisher_paragraph_is_answered(content):
    about = [a for a in content.answers.values() if a.section_id == "about-publisher"]
    assert about and about[0].status == "approved"


def test_the_issue_examples_map_to_the_right_passages(content):
    texts = {a.id: a.text for a in content.answers.values()}
    assert texts["early_stage_can_become_metastatic"].startswith("Even stage I cancer can become metastatic.")
    assert "This is called stable disease." in texts["what_is_stable_disease"]
    assert "not considered curable" in texts["is_mbc_curable"] and "NED" in texts["is_mbc_curable"]


def test_article_text_is_the_vetted_text(content):
    """Each article's file is the text its metadata recorded (checked by the loader, see below)."""
    for article in content.articles.values():
        text = (ROOT / "data" / "content" / "articles" / article.meta["text_file"]).read_bytes()
        assert hashlib.sha256(text).hexdigest() == article.meta["text_sha256"]


@pytest.mark.skipif(not SHARED_SOURCE.exists(), reason="../shared/source is measurement material, not required")
def test_article_text_is_the_supplied_source_when_it_is_beside_the_project():
    supplied = SHARED_SOURCE / "what-makes-metastatic-breast-cancer-different.txt"
    ours = ROOT / "data" / "content" / "articles" / supplied.name
    assert ours.read_bytes() == supplied.read_bytes()


def test_article_metadata_says_whether_its_url_is_confirmed(content):
    for article in content.articles.values():
        assert isinstance(article.meta["url_confirmed"], bool) and article.meta["canonical_url"].startswith("https://")


def test_refuses_an_article_changed_after_vetting(nlp, content_copy):
    text_file = next((content_copy / "articles").glob("*.txt"))
    text_file.write_text(text_file.read_text(encoding="utf-8").replace("anyone, at any time", "anyone at all"),
                         encoding="utf-8")
    assert "not the text that was vetted" in _refusal(nlp, content_copy)


def _edit_answers(content_dir: Path, edit):
    path = next((content_dir / "answers").glob("*.yml"))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _refusal(nlp, content_dir) -> str:
    with pytest.raises(ContentError) as info:
        load_content(nlp, content_dir)
    return str(info.value)


def test_unchanged_copy_loads(nlp, content_copy):
    assert len(load_content(nlp, content_copy).answers) >= 10


def test_refuses_paraphrased_answer(nlp, content_copy):
    def paraphrase(doc):
        doc["answers"][0]["text"] = doc["answers"][0]["text"].replace("never have to deal", "never deal")
    _edit_answers(content_copy, paraphrase)
    assert "not found verbatim in its article" in _refusal(nlp, content_copy)


def test_refuses_partial_sentence(nlp, content_copy):
    def cut(doc):
        doc["answers"][0]["text"] = "There are many people who undergo treatment."
    _edit_answers(content_copy, cut)
    assert "not found verbatim" in _refusal(nlp, content_copy)


def test_refuses_sentences_out_of_article_order(nlp, content_copy):
    def swap(doc):
        first, second = split_answer(nlp, doc["answers"][0]["text"])
        doc["answers"][0]["text"] = f"{second[1]} {first[1]}"
    _edit_answers(content_copy, swap)
    assert "out of article order" in _refusal(nlp, content_copy)


def test_refuses_unknown_article(nlp, content_copy):
    _edit_answers(content_copy, lambda doc: doc.update(article="no-such-article"))
    assert "unknown article 'no-such-article'" in _refusal(nlp, content_copy)


def test_refuses_duplicate_id(nlp, content_copy):
    _edit_answers(content_copy, lambda doc: doc["answers"].append(dict(doc["answers"][1])))
    assert "duplicate id" in _refusal(nlp, content_copy)


def test_refuses_a_title_another_answer_already_has(nlp, content_copy):
    def twin(doc):
        doc["answers"].append({**doc["answers"][2], "id": "another_id", "title": doc["answers"][1]["title"].upper()})
    _edit_answers(content_copy, twin)
    assert "is already answer" in _refusal(nlp, content_copy)


def test_refuses_unknown_vetting_status(nlp, content_copy):
    _edit_answers(content_copy, lambda doc: doc["answers"][0]["vetting"].update(status="ok"))
    assert "vetting status must be one of" in _refusal(nlp, content_copy)


def test_refuses_a_gap_in_coverage(nlp, content_copy):
    _edit_answers(content_copy, lambda doc: doc["not_answered"].pop(0))
    assert "neither answered nor listed in not_answered" in _refusal(nlp, content_copy)


def test_refuses_answer_outside_its_section(nlp, content_copy):
    _edit_answers(content_copy, lambda doc: doc["answers"][0].update(section="treatment"))
    assert "outside its section" in _refusal(nlp, content_copy)
