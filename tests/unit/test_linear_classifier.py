"""The sparse linear intent + answer classifier: its TF-IDF matches scikit-learn's, it survives being
stored and loaded, and its output has the shape Rasa's classifiers give (what the gate and actions read)."""
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer

from measure.tune_classifier import tokenized
from settings import ROOT
from understanding.linear_classifier import WORD_TOKENS, LinearIntentClassifier, TfidfFeatures

LABELS = {"greet", "goodbye", "out_of_scope", "faq/what_is_ned", "faq/what_is_stable_disease", "faq/is_mbc_curable"}


@pytest.fixture(scope="module")
def training_data(nlp):
    data = load_data(str(ROOT / "data" / "nlu"))
    examples = [tokenized(nlp, e.get("text"), e.data) for e in data.intent_examples
                if (e.get("intent_response_key") or e.get("intent")) in LABELS]
    return TrainingData(examples)


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return LocalModelStorage(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def trained(training_data, storage):
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = LinearIntentClassifier.create({}, storage, Resource("linear"), context)
    classifier.train(training_data)
    return classifier


def ask(nlp, classifier, text):
    return classifier.process([tokenized(nlp, text)])[0]


@pytest.mark.parametrize("analyzer, ngrams", [("word", (1, 2)), ("char_wb", (2, 4))])
def test_tfidf_matches_scikit_learn(training_data, analyzer, ngrams):
    texts = [e.get("text").lower() for e in training_data.intent_examples]
    ours = TfidfFeatures.fit(analyzer, ngrams, texts)
    reference = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True,
                                token_pattern=WORD_TOKENS if analyzer == "word" else None).fit(texts)
    probe = ["what is N.E.D. in cancer", "is stage 4 curable curable", "🙂", ""]
    np.testing.assert_allclose(ours.transform(probe).toarray(), reference.transform(probe).toarray(), atol=1e-12)


def test_stored_model_gives_the_same_probabilities(nlp, trained, storage):
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load({}, storage, Resource("linear"), context)
    messages = [tokenized(nlp, t) for t in ("what does NED mean", "hello there", "🙂 ?")]
    np.testing.assert_allclose(loaded.probabilities(messages), trained.probabilities(messages), atol=1e-12)
    assert loaded.labels == trained.labels and set(loaded.labels) == LABELS


def test_output_has_the_shape_rasa_classifiers_give(nlp, trained):
    message = ask(nlp, trained, "what does no evidence of disease mean")
    probabilities = dict(zip(trained.labels, trained.probabilities([message])[0]))
    faq_total = sum(p for label, p in probabilities.items() if label.startswith("faq/"))
    ranking = message.get("intent_ranking")
    assert message.get("intent") == ranking[0]
    assert ranking[0]["name"] == "faq" and ranking[0]["confidence"] == pytest.approx(faq_total)
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    selector = message.get("response_selector")["faq"]
    answers = selector["ranking"]
    assert answers[0]["intent_response_key"] == "faq/what_is_ned"
    assert selector["response"]["intent_response_key"] == "faq/what_is_ned"
    assert selector["response"]["utter_action"] == "utter_faq/what_is_ned"
    # Confidence given faq: the answers' probabilities renormalised.
    assert answers[0]["confidence"] == pytest.approx(probabilities["faq/what_is_ned"] / faq_total)
    assert sum(a["confidence"] for a in answers) == pytest.approx(1.0)


def test_small_talk_is_an_intent_and_unknown_text_is_not_a_crash(nlp, trained):
    assert ask(nlp, trained, "hello!").get("intent")["name"] == "greet"
    for text in ("🙂", "\u202eשלום", "x" * 5000):
        message = ask(nlp, trained, text)
        assert 0.0 <= message.get("intent")["confidence"] <= 1.0
    untouched = trained.process([Message(data={"text": ""})])[0]
    assert untouched.get("intent") is None
