"""Compare settings of the linear classifier on validation data only (the numbers behind config.yml).

Trains understanding.linear_classifier.LinearIntentClassifier on data/nlu for each candidate setting (in process,
no Rasa model written) and scores the validation sets measure/tune_thresholds.py uses: right and
wrong answers served and negatives served under the answer gate's thresholds from config.yml
(FallbackClassifier and safety patterns left out: this compares classifiers, not the whole
pipeline), and the log-loss of the right answer's probability. Held-out and red-team sets are never
read. Usage: python -m measure.tune_classifier
"""
import math
import time
import tempfile
from pathlib import Path

import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from scripts.stack import ROOT
from measure.tune_thresholds import validation_items
from understanding.components import AnswerGate
from understanding.linear_classifier import LinearIntentClassifier
from understanding.spacy_pipeline import load_pipeline

CANDIDATES = [{"word_ngrams": [1, 1], "C": 30}] + [{"word_ngrams": [1, 2], "C": c} for c in (30, 100, 300, 1000)] + [
    {"word_ngrams": [1, 2], "C": c, "tol": tol} for c in (300, 1000) for tol in (1e-3, 1e-2)] + [
    {"word_ngrams": [1, 2], "C": 1000, "tol": 1e-3, "solver": solver} for solver in ("newton-cg", "saga")]


def tokenized(nlp, text: str, data=None) -> Message:
    message = Message(data={**(data or {}), "text": text})
    message.set("text_tokens", [Token(t.text, t.idx, lemma=t.lemma_) for t in nlp(text)])
    return message


def gate_config() -> dict:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    return next(c for c in pipeline if c["name"].endswith("AnswerGate"))


def served(message: Message, gate: dict):
    """The answer id the answer gate, with config.yml's thresholds, would serve for this classified
    message, or None."""
    if AnswerGate(gate).decide(message)["decision"] != "serve":
        return None
    return message.get("response_selector")["faq"]["ranking"][0]["intent_response_key"].split("/", 1)[1]


def main() -> int:
    nlp = load_pipeline()
    data = load_data(str(ROOT / "data" / "nlu"))
    training = TrainingData([tokenized(nlp, e.get("text"), e.data) for e in data.intent_examples])
    items = validation_items()
    positives = [i for i in items if i["expect"] == "answer"]
    negatives = [i for i in items if i["expect"] in ("uncovered", "oos")]
    gate = gate_config()
    print(f"{len(positives)} positives, {len(negatives)} negatives (validation only); gate from config.yml: "
          f"faq >= {gate['faq_intent_threshold']}, answer >= {gate['serve_threshold']}, lead >= {gate['margin']}")
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalModelStorage(Path(tmp))
        for number, candidate in enumerate(CANDIDATES):
            context = ExecutionContext(GraphSchema({}), "tune")
            classifier = LinearIntentClassifier.create(candidate, storage, Resource(f"c{number}"), context)
            started = time.perf_counter()
            classifier.train(training)
            seconds = time.perf_counter() - started
            scored = {id(i): classifier.process([tokenized(nlp, i["text"])])[0] for i in positives + negatives}
            right = sum(served(scored[id(i)], gate) == i["answer"] for i in positives)
            wrong = sum(served(scored[id(i)], gate) not in (None, i["answer"]) for i in positives)
            negatives_served = sum(served(scored[id(i)], gate) is not None for i in negatives)
            log_loss = 0.0
            for item in positives:
                probabilities = dict(zip(classifier.labels, classifier.probabilities([scored[id(item)]])[0]))
                log_loss -= math.log(max(probabilities.get("faq/" + item["answer"], 0.0), 1e-12))
            safety = [i for i in items if i["expect"] in ("crisis", "emergency")]
            feelings = [i for i in items if i["expect"] == "feeling"]
            top_safety = lambda i: max([r["confidence"] for r in classifier.process([tokenized(nlp, i["text"])])[0]
                                        .get("intent_ranking") if r["name"] in ("crisis", "emergency")] + [0.0])
            lowest_safety = min(top_safety(i) for i in safety)
            feelings_above = sum(top_safety(i) >= lowest_safety for i in feelings)
            print(f"  word n-grams {candidate['word_ngrams']}, C={candidate['C']:<5} tol={candidate.get('tol', 1e-4)} {candidate.get('solver', 'lbfgs')}: "
                  f"right {right}, wrong {wrong}, negatives served {negatives_served}, log-loss of the right answer "
                  f"{log_loss / len(positives):.3f}; lowest emergency/crisis score {lowest_safety:.3f} "
                  f"({feelings_above}/{len(feelings)} feelings at or above it); trained in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
