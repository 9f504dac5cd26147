"""Which vetted answer a message asks for, judged on the passages themselves as well as the examples.

The classifier knows an answer only through its example questions, so a patient's question worded
unlike any of them went unanswered. Here every approved answer is scored on several kinds of evidence:

- `classifier`: the linear classifier's log-probability of faq/<answer> (examples, as before);
- `bm25`, `bm25_share`: BM25 (rank_bm25) of the message's content lemmas against the answer's title,
  section title and passage, and that score over the best answer's;
- `title`, `passage`, `examples`: cosine similarity of sentence embeddings (understanding/embeddings.py)
  of the message with the answer's title, its passage and its closest example question (its title when
  it has none).

A logistic combination of them, with weights fitted on validation data only (measure/tune_finder.py
writes them into config.yml), gives each answer the probability that it is the one asked for. An
approved answer with no example questions yet (a new article, just vetted) is scored by a second
combination of the passage evidence alone (`passage_weights`: bm25, bm25_share, title, passage), fitted
on the same validation data with the example-based evidence left out; without those weights such an
answer is never served. The
answers are ranked by it (response_selector.faq, as Rasa's ResponseSelector would put it), and a
message the classifier took for a question it cannot answer (ask_uncovered, out_of_scope, nonsense)
becomes `faq` when an answer reaches `promote_threshold`; AnswerGate then decides as before. It runs
after SafetyOverride: a message marked emergency or crisis, and advice, small talk, feelings and
requests for a person, are never overridden. Without weights in
config.yml the component changes nothing.
"""
import json
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rank_bm25 import BM25Okapi
from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.lang.en.stop_words import STOP_WORDS

from understanding import embeddings

RETRIEVAL_INTENT = "faq"
FALLBACK = "nlu_fallback"
QUESTION_INTENTS = {RETRIEVAL_INTENT, "ask_uncovered", "out_of_scope", "nonsense", FALLBACK}
FEATURES = ["classifier", "bm25", "bm25_share", "title", "passage", "examples"]
PASSAGE_FEATURES = ["bm25", "bm25_share", "title", "passage"]  # what an answer without examples has
RANKING_LENGTH = 5


def content_words(lemmas: List[Text]) -> List[Text]:
    return [w for w in (lemma.lower() for lemma in lemmas) if w.isalnum() and w not in STOP_WORDS]


def message_words(message: Message) -> List[Text]:
    return content_words([t.lemma or t.text for t in message.get(TOKENS_NAMES[TEXT]) or []])


def classifier_probabilities(message: Message, answer_ids: List[Text]) -> np.ndarray:
    """P(faq/<answer>) as the classifier gave it: P(faq) times the answer's share of it."""
    faq = next((r["confidence"] for r in message.get("intent_ranking") or [] if r["name"] == RETRIEVAL_INTENT), 0.0)
    ranking = ((message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("ranking") or []
    share = {r["intent_response_key"].split("/", 1)[1]: r["confidence"] for r in ranking}
    return np.array([faq * share.get(a, 0.0) for a in answer_ids])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class AnswerFinder(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"embedding_weights": "models/wordllama/l2_supercat_256.safetensors",
                "embedding_tokenizer": "models/wordllama/l2_supercat_tokenizer_config.json",
                "weights": None, "bias": 0.0, "passage_weights": None, "passage_bias": 0.0,
                "promote_threshold": 0.5}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 answers: Optional[Dict[Text, Any]] = None, arrays: Optional[Dict[Text, np.ndarray]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage, self._resource = model_storage, resource
        self.embeddings = embeddings.load(self.config["embedding_weights"], self.config["embedding_tokenizer"])
        self._set(answers or {"ids": [], "words": []}, arrays or {})

    def _set(self, answers: Dict[Text, Any], arrays: Dict[Text, np.ndarray]) -> None:
        self.answer_ids: List[Text] = answers["ids"]
        self.bm25 = BM25Okapi(answers["words"]) if any(answers["words"]) else None
        self.arrays = arrays
        # Examples grouped by answer, so each answer's best example is one reduceat (np.maximum.at
        # took four times as long per message).
        self._examples_by_owner = self._group_starts = self._group_owner = None
        owner = arrays.get("example_owner", np.zeros(0, dtype=np.int64))
        if len(owner):
            order = np.argsort(owner, kind="stable")
            grouped = owner[order]
            self._examples_by_owner = arrays["examples"][order]
            self._group_starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
            self._group_owner = grouped[self._group_starts]

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "AnswerFinder":
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        # Trained from the content files, which are no input of Rasa's graph: a change to them must
        # retrain this component, not reuse it from Rasa's cache.
        from content.files import content_fingerprint
        return content_fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        from content.files import load_content  # the passages as `make content` checks them
        from understanding.spacy_pipeline import load_pipeline

        nlp = load_pipeline()
        content = load_content(nlp)
        answers = [a for a in content.answers.values() if a.status == "approved"]
        sections = {(article.meta["id"], s["id"]): s["title"] for article in content.articles.values()
                    for s in article.meta["sections"]}
        ids = [a.id for a in answers]
        words = [content_words([t.lemma_ for t in nlp(f"{a.title} {sections.get((a.article_id, a.section_id), '')} {a.text}")])
                 for a in answers]
        examples = [(e.get(INTENT_RESPONSE_KEY).split("/", 1)[1], e.get(TEXT)) for e in training_data.intent_examples
                    if (e.get(INTENT_RESPONSE_KEY) or "").startswith(RETRIEVAL_INTENT + "/")]
        examples = [(ids.index(a), text) for a, text in examples if a in ids]
        arrays = {"titles": self.embeddings.embed([a.title for a in answers]),
                  "passages": self.embeddings.embed([a.text for a in answers]),
                  "examples": self.embeddings.embed([t for _, t in examples]),
                  "example_owner": np.array([i for i, _ in examples], dtype=np.int64),
                  "has_examples": np.isin(np.arange(len(ids)), [i for i, _ in examples])}
        self._set({"ids": ids, "words": words}, arrays)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "answers.json").write_text(json.dumps({"ids": ids, "words": words}))
            np.savez(directory / "arrays.npz", **arrays)
        return self._resource

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "AnswerFinder":
        with model_storage.read_from(resource) as directory:
            answers = json.loads((directory / "answers.json").read_text())
            with np.load(directory / "arrays.npz", allow_pickle=False) as stored:
                arrays = {k: stored[k] for k in stored.files}
        return cls(config, model_storage, resource, answers, arrays)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # Scoring -------------------------------------------------------------------------------------------

    def features(self, message: Message) -> np.ndarray:
        """(answers x FEATURES) for a message the classifier has seen."""
        n = len(self.answer_ids)
        words = message_words(message)
        bm25 = self.bm25.get_scores(words) if self.bm25 is not None and words else np.zeros(n)
        best = bm25.max() if n else 0.0
        vector = self.embeddings.embed([message.get(TEXT) or ""])[0]
        examples = self.arrays["titles"] @ vector  # an answer without examples: its title stands in
        if self._examples_by_owner is not None:
            best_example = np.maximum.reduceat(self._examples_by_owner @ vector, self._group_starts)
            examples[self._group_owner] = np.maximum(examples[self._group_owner], best_example)
        return np.column_stack([
            np.log(classifier_probabilities(message, self.answer_ids) + 1e-3),
            np.log1p(np.maximum(bm25, 0.0)), bm25 / best if best > 0 else np.zeros(n),
            self.arrays["titles"] @ vector, self.arrays["passages"] @ vector, examples])

    def probabilities(self, message: Message) -> np.ndarray:
        features = self.features(message)
        weights = np.array([self.config["weights"][name] for name in FEATURES])
        with_examples = _sigmoid(features @ weights + self.config["bias"])
        has_examples = self.arrays.get("has_examples", np.ones(len(self.answer_ids), dtype=bool))
        if not self.config["passage_weights"]:
            return np.where(has_examples, with_examples, 0.0)
        passage = np.array([self.config["passage_weights"][name] for name in PASSAGE_FEATURES])
        columns = [FEATURES.index(name) for name in PASSAGE_FEATURES]
        return np.where(has_examples, with_examples,
                        _sigmoid(features[:, columns] @ passage + self.config["passage_bias"]))

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.config["weights"] or not self.answer_ids:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if text and not text.startswith("/") and message.get(INTENT):
                self._rank(message, self.probabilities(message))
        return messages

    def _rank(self, message: Message, probabilities: np.ndarray) -> None:
        order = np.argsort(-probabilities)[:RANKING_LENGTH]
        ranked = [{"confidence": float(probabilities[i]), "intent_response_key": f"{RETRIEVAL_INTENT}/{self.answer_ids[i]}"}
                  for i in order]
        top = ranked[0]
        message.set("response_selector", {
            "all_retrieval_intents": [RETRIEVAL_INTENT],
            RETRIEVAL_INTENT: {"response": {"responses": [], "confidence": top["confidence"],
                                            "intent_response_key": top["intent_response_key"],
                                            "utter_action": "utter_" + top["intent_response_key"]},
                               "ranking": ranked}}, add_to_output=True)
        if message.get("safety"):
            return  # SafetyOverride's decision stands: help first, never turned into an answer
        intent = message.get(INTENT)["name"]
        classified = next((r["name"] for r in message.get("intent_ranking") or [] if r["name"] != FALLBACK), None)
        promote = self.config["promote_threshold"]  # 1.0 or more: never
        if intent in QUESTION_INTENTS and (classified == RETRIEVAL_INTENT
                                           or promote < 1.0 and top["confidence"] >= promote):
            # The other question intents are what the finder has just judged: only the rest stay ranked
            # (a close medical_advice still makes FallbackClassifier hesitate, as it should).
            others = [r for r in message.get("intent_ranking") or [] if r["name"] not in QUESTION_INTENTS]
            faq = {"name": RETRIEVAL_INTENT, "confidence": top["confidence"]}
            message.set(INTENT, faq, add_to_output=True)
            message.set("intent_ranking", [faq] + others[:RANKING_LENGTH - 1], add_to_output=True)
