"""Training with a library of articles: what the classifier learns changes with the content folder.
The test fixture article (clinical trials, tests/fixtures/content) is joined to data/content in a
temporary folder; Rasa's own TrainingData, the project's spaCy pipeline and the real content checks."""
import pytest
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from content.files import content_fingerprint, join_content
from tests.conftest import ROOT
from understanding.coverage import LibraryCoverage
from understanding.passage_examples import PassageExamples

FIXTURE = ROOT / "tests" / "fixtures" / "content"
FIRST_ARTICLE = "what-makes-metastatic-breast-cancer-different"
UNCOVERED = ["what are the phases of clinical trials", "will i get a placebo in a cancer trial",
             "what is her2 low", "how is lung cancer treated", "does deodorant cause breast cancer"]


@pytest.fixture(params=["first article only", "with the trials article"])
def library(request, tmp_path, monkeypatch):
    sources = [ROOT / "data" / "content"] + ([FIXTURE] if request.param != "first article only" else [])
    monkeypatch.setenv("MBC_CONTENT_DIR", str(join_content(tmp_path / "content", *sources)))
    return request.param


def tokenized(nlp, texts, intent="ask_uncovered"):
    messages = [Message(data={TEXT: t, INTENT: intent}) for t in texts]
    for m in messages:
        m.set("text_spacy_doc", nlp(m.get(TEXT)))
    SpacyTokenizer(SpacyTokenizer.get_default_config()).process_training_data(TrainingData(messages))
    return messages


def test_uncovered_examples_a_new_article_answers_are_left_out_and_no_others(library, nlp):
    coverage = LibraryCoverage({"judged_against": [FIRST_ARTICLE], "min_overlap": 0.5})
    kept = coverage.process_training_data(TrainingData(tokenized(nlp, UNCOVERED)))
    texts = [m.get(TEXT) for m in kept.training_examples]
    if library == "first article only":
        assert texts == UNCOVERED
    else:
        assert texts == UNCOVERED[2:]  # the trial questions go; other topics stay "not covered"


def test_answers_with_few_examples_learn_from_their_passages(library, nlp):
    examples = [Message(data={TEXT: f"question {i}", INTENT: "faq", INTENT_RESPONSE_KEY: "faq/what_is_ned"})
                for i in range(3)]
    out = PassageExamples({"below": 10}).process_training_data(TrainingData(examples))
    added = {}
    for m in out.training_examples[len(examples):]:
        added.setdefault(m.get(INTENT_RESPONSE_KEY), []).append(m.get(TEXT))
    assert "faq/what_is_ned" in added  # 3 examples: below 10
    assert "faq/what_is_stable_disease" in added  # none given here
    if library == "with the trials article":
        placebo = added["faq/placebo_in_cancer_trials"]
        assert placebo[:2] == ["Could I be given a placebo instead of treatment in a trial?", "Placebos in cancer trials"]
        assert any("placebo" in text.lower() for text in placebo[2:])  # the passage's own sentences
    many = [Message(data={TEXT: f"q {i}", INTENT: "faq", INTENT_RESPONSE_KEY: a})
            for a in added for i in range(10)]
    assert PassageExamples({"below": 10}).process_training_data(TrainingData(many)).training_examples == many


def test_a_change_to_the_content_changes_the_fingerprint_rasa_caches_by(tmp_path, monkeypatch):
    first = join_content(tmp_path / "a", ROOT / "data" / "content")
    both = join_content(tmp_path / "b", ROOT / "data" / "content", FIXTURE)
    assert content_fingerprint(first) != content_fingerprint(both)
    assert content_fingerprint(first) == content_fingerprint(join_content(tmp_path / "c", ROOT / "data" / "content"))
    monkeypatch.setenv("MBC_CONTENT_DIR", str(both))
    assert LibraryCoverage.fingerprint_addon({}) == PassageExamples.fingerprint_addon({}) == content_fingerprint(both)
