"""Fit the answer finder's weights on validation data only, and choose its evidence by measurement.

Validation data: tests/tuning/*.jsonl (written for tuning, never trained on) and, when present,
../shared/eval/clinc_oos_val.jsonl. Never the held-out or red-team sets. Each message goes through the
trained model's own components up to the classifier (normaliser, spaCy, tokenizer, classifier), then
the finder's features are taken for every approved answer. Messages the classifier takes for a
question (faq, ask_uncovered, out_of_scope, nonsense) are the finder's to judge: a logistic regression
over (message, answer) pairs learns whether the answer is the one the message asks for.

Each subset of evidence is scored by 5-fold cross-validation over messages (answers served right and
wrong at the serve threshold, negatives served), and the chosen weights are printed for config.yml.
Usage: python -m measure.tune_finder [--threshold 0.5] [--evidence all]
"""
import argparse
import sys

import numpy as np
import yaml
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.message import Message
from sklearn.linear_model import LogisticRegression

from measure.evaluate import SHARED, read_jsonl
from scripts.stack import MODEL, ROOT
from understanding.answer_finder import FEATURES, PASSAGE_FEATURES, QUESTION_INTENTS, AnswerFinder

SUBSETS = {
    "classifier only": ["classifier"],
    "classifier + bm25": ["classifier", "bm25", "bm25_share"],
    "classifier + embeddings": ["classifier", "title", "passage", "examples"],
    "all": FEATURES,
}


def validation_items():
    items = [i for f in sorted((ROOT / "tests" / "tuning").glob("validation*.jsonl")) for i in read_jsonl(f)]
    oos_val = SHARED / "eval" / "clinc_oos_val.jsonl"
    return items + (read_jsonl(oos_val) if oos_val.exists() else [])


def components(model=MODEL):
    """The trained model's pipeline components before the finder, in config.yml's order, and the finder."""
    agent = Agent.load(str(model))
    running = {type(node._component).__name__: node._component
               for name, node in agent.processor.graph_runner._instantiated_nodes.items() if name.startswith("run_")}
    pipeline = [step["name"].rsplit(".", 1)[-1] for step in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]]
    before = [running[name] for name in pipeline[:pipeline.index(AnswerFinder.__name__)]]
    return before, running[AnswerFinder.__name__]


def featurize(items, before, finder):
    rows = []
    for item in items:
        message = Message(data={"text": item["text"]})
        for component in before:
            if hasattr(component, "provide"):  # SpacyNLP: it is also the provider of its own model
                component.process([message], component.provide())
            else:
                component.process([message])
        intent = (message.get("intent") or {}).get("name")
        if intent not in QUESTION_INTENTS or message.get("safety"):
            continue
        classified = next(r["name"] for r in message.get("intent_ranking") if r["name"] != "nlu_fallback")
        gold = item.get("answer") if item["expect"] == "answer" else None
        if gold is not None and gold not in finder.answer_ids:
            continue  # an answer of an article this model was not trained with
        rows.append((finder.features(message), np.array([a == gold for a in finder.answer_ids]), gold, classified))
    return rows


def served(probabilities, threshold):
    best = int(np.argmax(probabilities))
    return best if probabilities[best] >= threshold else None


def score(rows, columns, threshold, folds=5):
    """Cross-validated: (answers right, answers wrong, negatives served, answers, negatives)."""
    right = wrong = negatives_served = 0
    for fold in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != fold]
        test = [r for i, r in enumerate(rows) if i % folds == fold]
        model = LogisticRegression(C=1.0, max_iter=2000).fit(
            np.vstack([f[:, columns] for f, _, _, _ in train]), np.concatenate([y for _, y, _, _ in train]))
        for features, truth, gold, _ in test:
            choice = served(model.predict_proba(features[:, columns])[:, 1], threshold)
            if gold is None:
                negatives_served += choice is not None
            elif choice is not None:
                right += bool(truth[choice])
                wrong += not truth[choice]
    answers = sum(gold is not None for _, _, gold, _ in rows)
    return right, wrong, negatives_served, answers, len(rows) - answers


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=0.5, help="the serve threshold the scores are read at")
    parser.add_argument("--evidence", choices=SUBSETS, help="fit this evidence instead of the best-scoring")
    args = parser.parse_args()
    before, finder = components()
    rows = featurize(validation_items(), before, finder)
    print(f"{len(rows)} validation messages the classifier takes for a question "
          f"({sum(g is not None for _, _, g, _ in rows)} with an answer), {len(finder.answer_ids)} answers")
    results = {}
    for name, subset in SUBSETS.items():
        columns = [FEATURES.index(f) for f in subset]
        right, wrong, neg, answers, negatives = score(rows, columns, args.threshold)
        results[name] = (right - 2 * wrong - 2 * neg, columns)
        print(f"  {name:26s} answers right {right}/{answers} ({right / answers:.1%}), wrong {wrong}, "
              f"negatives served {neg}/{negatives}")
    # Ties go to the most evidence: validation is worded much like the training examples, the questions
    # patients send are not, and the passages are what a question unlike any example can still match.
    best = args.evidence or max(results, key=lambda k: (results[k][0], len(results[k][1])))
    columns = results[best][1]
    model = LogisticRegression(C=1.0, max_iter=2000).fit(
        np.vstack([f[:, columns] for f, _, _, _ in rows]), np.concatenate([y for _, y, _, _ in rows]))
    weights = {f: 0.0 for f in FEATURES}
    weights.update({FEATURES[c]: round(float(w), 4) for c, w in zip(columns, model.coef_[0])})
    print(f"\n{'chosen' if args.evidence else 'best by right - 2 x (wrong + negatives served), ties to the most evidence'}: {best}\n"
          f"for config.yml (AnswerFinder):")
    print(f"    weights: {{{', '.join(f'{k}: {v}' for k, v in weights.items())}}}")
    print(f"    bias: {round(float(model.intercept_[0]), 4)}")
    print(f"    promote_threshold: {promotion_threshold(rows, columns)}")
    # Answers without example questions yet (a newly vetted article): the passage evidence alone, fitted
    # on the same messages as if no answer had examples.
    columns = [FEATURES.index(f) for f in PASSAGE_FEATURES]
    right, wrong, neg, answers, negatives = score(rows, columns, args.threshold)
    print(f"\npassages only, for answers without examples: answers right {right}/{answers} ({right / answers:.1%}), "
          f"wrong {wrong}, negatives served {neg}/{negatives}")
    model = LogisticRegression(C=1.0, max_iter=2000).fit(
        np.vstack([f[:, columns] for f, _, _, _ in rows]), np.concatenate([y for _, y, _, _ in rows]))
    print(f"    passage_weights: {{{', '.join(f'{f}: {round(float(w), 4)}' for f, w in zip(PASSAGE_FEATURES, model.coef_[0]))}}}")
    print(f"    passage_bias: {round(float(model.intercept_[0]), 4)}")
    return 0


def promotion_threshold(rows, columns, folds=5) -> float:
    """Messages the classifier did not take for `faq` become one only above this score: the lowest
    threshold at which, cross-validated, no validation message is promoted to a wrong answer or to an
    answer it does not ask for."""
    candidates = []
    for fold in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != fold]
        model = LogisticRegression(C=1.0, max_iter=2000).fit(
            np.vstack([f[:, columns] for f, _, _, _ in train]), np.concatenate([y for _, y, _, _ in train]))
        for i, (features, truth, gold, classified) in enumerate(rows):
            if i % folds == fold and classified != "faq":
                probabilities = model.predict_proba(features[:, columns])[:, 1]
                best = int(np.argmax(probabilities))
                candidates.append((probabilities[best], gold is not None and bool(truth[best])))
    print(f"\npromotion (messages the classifier took for something else: {len(candidates)}, "
          f"{sum(ok for _, ok in candidates)} of them asking for the top answer):")
    chosen = None
    for threshold in np.arange(0.5, 1.0, 0.05):
        right = sum(ok for p, ok in candidates if p >= threshold)
        wrong = sum(not ok for p, ok in candidates if p >= threshold)
        print(f"  at {threshold:.2f}: promoted right {right}, promoted wrongly {wrong}")
        if chosen is None and wrong == 0:
            chosen = round(float(threshold), 2)
    return chosen if chosen is not None else 1.0


if __name__ == "__main__":
    sys.exit(main())
