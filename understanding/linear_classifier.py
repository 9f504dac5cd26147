"""One sparse linear model that ranks both the intent and, for `faq`, the answer.

Profiling under load showed DIET and the ResponseSelector (TensorFlow inference and the model-data
building around it) taking about a third of the Rasa server's CPU per message. Here one multinomial
logistic regression (scikit-learn) over TF-IDF word-lemma n-grams and character n-grams scores every
label: each small-talk/safety/scope intent and each retrieval label `faq/<answer id>`. On the held-out
set it served 148 of 155 answers right where DIET + ResponseSelector served 149 (`make eval`); it
trains in seconds and answers in well under a millisecond. Its output has the shape of Rasa's classifiers, so FallbackClassifier,
SafetyOverride, AnswerGate, the actions and the review app read it unchanged:
- intent / intent_ranking: `faq` scores the sum of its answers' probabilities;
- response_selector.faq: the answers ranked by probability given `faq` (they sum to 1).
The model is stored as plain arrays and vocabularies (JSON + .npz), no pickles.
"""
import json
from collections import Counter, defaultdict
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

RETRIEVAL_INTENT = "faq"
RANKING_LENGTH = 5  # what the gate, the actions and staff use (3 runners-up) with room to spare
WORD_TOKENS = r"(?u)\b\w+\b"  # keeps one-letter words and digits ("stage 4", "option 2")


def lemma_text(message: Message) -> Text:
    """The message's lower-cased lemmas (from the spaCy tokenizer), joined by spaces."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join((t.lemma or t.text).lower() for t in tokens)


def _analysis(analyzer: Text, ngram_range) -> Dict[Text, Any]:
    return {"analyzer": analyzer, "ngram_range": tuple(ngram_range),
            "token_pattern": WORD_TOKENS if analyzer == "word" else None}


class TfidfFeatures:
    """TF-IDF (sublinear tf, L2 rows) of one scikit-learn analyzer, as scikit-learn's TfidfVectorizer
    computes it, kept as vocabulary + idf (stored without pickle). A message's vector is computed
    directly as (indices, values): building scipy matrices for one short message cost more than the
    classification itself."""

    def __init__(self, analyzer: Text, ngram_range, vocabulary: Dict[Text, int], idf: np.ndarray) -> None:
        self.analyze = CountVectorizer(**_analysis(analyzer, ngram_range)).build_analyzer()
        self.analyzer, self.ngram_range, self.vocabulary, self.idf = analyzer, tuple(ngram_range), vocabulary, idf

    @classmethod
    def fit(cls, analyzer: Text, ngram_range, texts: List[Text]) -> "TfidfFeatures":
        tfidf = TfidfVectorizer(sublinear_tf=True, **_analysis(analyzer, ngram_range)).fit(texts)
        vocabulary = {term: int(i) for term, i in tfidf.vocabulary_.items()}
        return cls(analyzer, ngram_range, vocabulary, tfidf.idf_)

    def __len__(self) -> int:
        return len(self.idf)

    def vector(self, text: Text) -> Tuple[np.ndarray, np.ndarray]:
        """(feature indices, values) of the known terms in the text; empty when none is known."""
        counts = Counter(t for t in self.analyze(text) if t in self.vocabulary)
        indices = np.fromiter((self.vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[indices]
        norm = np.sqrt(values @ values)
        return indices, (values / norm if norm else values)

    def transform(self, texts: List[Text]) -> csr_matrix:
        vectors = [self.vector(t) for t in texts]
        indptr = np.cumsum([0] + [len(i) for i, _ in vectors])
        indices = np.concatenate([i for i, _ in vectors] + [np.zeros(0, np.int64)])
        values = np.concatenate([v for _, v in vectors] + [np.zeros(0)])
        return csr_matrix((values, indices, indptr), shape=(len(texts), len(self)))

    def to_json(self) -> Dict[Text, Any]:
        return {"analyzer": self.analyzer, "ngram_range": list(self.ngram_range), "vocabulary": self.vocabulary}

    @classmethod
    def from_json(cls, stored: Dict[Text, Any], idf: np.ndarray) -> "TfidfFeatures":
        return cls(stored["analyzer"], stored["ngram_range"], stored["vocabulary"], idf)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 30.0, "word_ngrams": [1, 2], "char_ngrams": [2, 4], "class_weight": "balanced",
                "max_iter": 3000, "tol": 1e-4, "solver": "lbfgs"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 words: Optional[TfidfFeatures] = None, chars: Optional[TfidfFeatures] = None,
                 labels: Optional[List[Text]] = None, weights: Optional[np.ndarray] = None,
                 bias: Optional[np.ndarray] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage, self._resource = model_storage, resource
        self.words, self.chars, self.labels, self.weights, self.bias = words, chars, labels or [], weights, bias
        # features x labels, row-major: a message's few non-zero features pick rows (no copy per message)
        self._by_feature = None if weights is None else np.ascontiguousarray(weights.T)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    # Training ------------------------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        labels = [e.get(INTENT_RESPONSE_KEY) or e.get(INTENT) for e in examples]
        self.words = TfidfFeatures.fit("word", self.config["word_ngrams"], [lemma_text(e) for e in examples])
        self.chars = TfidfFeatures.fit("char_wb", self.config["char_ngrams"], [e.get(TEXT).lower() for e in examples])
        model = LogisticRegression(C=self.config["C"], class_weight=self.config["class_weight"],
                                   max_iter=self.config["max_iter"], tol=self.config["tol"], solver=self.config["solver"])
        model.fit(self._features(examples), labels)
        self.labels, self.weights, self.bias = [str(c) for c in model.classes_], model.coef_, model.intercept_
        self._by_feature = np.ascontiguousarray(self.weights.T)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "model.json").write_text(json.dumps(
                {"labels": self.labels, "words": self.words.to_json(), "chars": self.chars.to_json()}))
            np.savez(directory / "arrays.npz", weights=self.weights, bias=self.bias,
                     word_idf=self.words.idf, char_idf=self.chars.idf)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        with model_storage.read_from(resource) as directory:
            meta = json.loads((directory / "model.json").read_text())
            with np.load(directory / "arrays.npz", allow_pickle=False) as arrays:
                arrays = {k: arrays[k] for k in arrays.files}
        words = TfidfFeatures.from_json(meta["words"], arrays["word_idf"])
        chars = TfidfFeatures.from_json(meta["chars"], arrays["char_idf"])
        return cls(config, model_storage, resource, words, chars, meta["labels"], arrays["weights"], arrays["bias"])

    # Prediction ----------------------------------------------------------------------------------------

    def _features(self, messages: List[Message]) -> csr_matrix:
        return hstack([self.words.transform([lemma_text(m) for m in messages]),
                       self.chars.transform([(m.get(TEXT) or "").lower() for m in messages])]).tocsr()

    def probabilities(self, messages: List[Message]) -> np.ndarray:
        return np.array([self._probabilities(m) for m in messages])

    def _probabilities(self, message: Message) -> np.ndarray:
        word_indices, word_values = self.words.vector(lemma_text(message))
        char_indices, char_values = self.chars.vector((message.get(TEXT) or "").lower())
        scores = (self.bias + word_values @ self._by_feature[word_indices]
                  + char_values @ self._by_feature[len(self.words) + char_indices])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        to_classify = [m for m in messages if m.get(TEXT)]
        if not to_classify or self.weights is None:
            return messages
        for message, probabilities in zip(to_classify, self.probabilities(to_classify)):
            self._set_outputs(message, probabilities)
        return messages

    def _set_outputs(self, message: Message, probabilities: np.ndarray) -> None:
        per_intent: Dict[Text, float] = defaultdict(float)
        answers = []
        for label, p in zip(self.labels, probabilities.tolist()):
            intent = label.split("/", 1)[0]
            per_intent[intent] += p
            if intent == RETRIEVAL_INTENT and "/" in label:
                answers.append((p, label))
        ranking = [{"name": n, "confidence": c} for n, c in sorted(per_intent.items(), key=lambda x: -x[1])]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set("intent_ranking", ranking[:RANKING_LENGTH], add_to_output=True)
        if not answers:
            return
        answers.sort(reverse=True)
        total = sum(p for p, _ in answers) or 1.0
        ranked = [{"confidence": p / total, "intent_response_key": label} for p, label in answers[:RANKING_LENGTH]]
        top = ranked[0]
        message.set("response_selector", {
            "all_retrieval_intents": [RETRIEVAL_INTENT],
            RETRIEVAL_INTENT: {
                "response": {"responses": [], "confidence": top["confidence"],
                             "intent_response_key": top["intent_response_key"],
                             "utter_action": "utter_" + top["intent_response_key"]},
                "ranking": ranked,
            }}, add_to_output=True)
