"""Tune AnswerGate's thresholds on validation data only, and print the trade-off.

Validation data: tests/tuning/*.jsonl (written for tuning, never trained on) and
../shared/eval/clinc_oos_val.jsonl (the one outside set that may be used for tuning). The held-out
and red-team sets, and the other ../shared/eval sets, are never read here.

For each message the trained model's parse is taken once (in process); the gate's decision is then
replayed for every threshold combination. "Wrong text" counts any served answer that is not the
expected one, or any answer served to a message that expects none. Usage: python -m measure.tune_thresholds
"""
import asyncio
import itertools
import json
import sys

import yaml
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.message import Message

from measure.evaluate import SHARED, read_jsonl
from scripts.stack import MODEL, ROOT
from understanding.components import FALLBACK, SAFETY_INTENTS, AnswerGate

GRID = {
    "faq_intent_threshold": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    "serve_threshold": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
    # At least 0.2, a product rule rather than a tuned value: two answers that close are offered as a
    # choice ("Did you mean"), not decided for the person. The validation messages ask one thing each,
    # so they cannot weigh a message that asks two.
    "margin": [0.2, 0.3, 0.4],
}
# The fewest negatives served while at least this share of answers is served right (the project's
# target on unseen questions). The validation negatives are hard on purpose (questions the article
# does not answer, worded like ones it does): no setting serves none of them and most answers.
MIN_RIGHT = 0.97
# A wrong passage misleads; a "Did you mean" costs one click. Score = right - WRONG_COST * wrong.
WRONG_COST = 2.0
# Rasa's FallbackClassifier runs before the gate, with the settings in config.yml.
FALLBACK_CONFIG = next(c for c in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
                       if c["name"] == "FallbackClassifier")


def validation_items():
    items = [i for f in sorted((ROOT / "tests" / "tuning").glob("validation*.jsonl")) for i in read_jsonl(f)]
    items += read_jsonl(SHARED / "eval" / "clinc_oos_val.jsonl")
    return items


async def parse_all(texts):
    agent = Agent.load(str(MODEL))
    return [await agent.parse_message(t) for t in texts]


def replay(parse, config):
    """(served answer id or None) for a parse under the given gate thresholds."""
    if parse.get("safety"):
        return None
    ranked = [r for r in parse["intent_ranking"] if r["name"] != FALLBACK]
    top, second = ranked[0], (ranked[1]["confidence"] if len(ranked) > 1 else 0.0)
    fallback_hit = top["confidence"] < FALLBACK_CONFIG["threshold"] or \
        top["confidence"] - second < FALLBACK_CONFIG["ambiguity_threshold"]
    if top["name"] != "faq":
        return None
    decision = AnswerGate(AnswerGate.get_default_config()).decide(Message(data=dict(parse)), config)
    if decision["decision"] != "serve" or fallback_hit:
        return None
    ranking = parse["response_selector"]["faq"]["ranking"]
    return ranking[0]["intent_response_key"].split("/", 1)[1]


def safety_confidence(parse) -> float:
    """The classifier's own emergency/crisis confidence (not a reviewed pattern's 1.0)."""
    safety = parse.get("safety") or {}
    before = safety.get("classifier") or {}  # the classifier's top intent, before a pattern overrode it
    ranked = [r["confidence"] for r in parse["intent_ranking"]
              if r["name"] in SAFETY_INTENTS and not (safety.get("pattern") and r["confidence"] == 1.0)]
    return max(ranked + [before.get("confidence", 0.0) if before.get("name") in SAFETY_INTENTS else 0.0] + [0.0])


# SafetyOverride's classifier_threshold, by the safety-first rule config.yml states. Upper bound: the
# highest threshold at which every emergency and crisis message of the validation sets that no reviewed
# pattern catches is still helped first, less SAFETY_MARGIN, on a 0.05 grid. Then, since a handful of
# validation messages cannot show how low an unseen cry for help may score, the threshold goes as far
# below that bound as the feelings allow: the lowest grid value at which at most FEELINGS_BUDGET of the
# validation feelings get a help line or a safety note (the target is at most 5% on unseen ones; half of it is kept back).
SAFETY_MARGIN = 0.025
FEELINGS_BUDGET = 0.025
SAFETY_GRID = 0.05
# hint_threshold sits this far under classifier_threshold, as config.yml has it.
SAFETY_CONFIG = next(c for c in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
                     if c["name"].endswith("SafetyOverride"))
HINT_BELOW = round(SAFETY_CONFIG["classifier_threshold"] - SAFETY_CONFIG["hint_threshold"], 2)


def safety_threshold(lowest: float) -> float:
    return max(SAFETY_GRID, int((lowest - SAFETY_MARGIN) / SAFETY_GRID) * SAFETY_GRID)


def report_safety_confidence(items, parses) -> float:
    """Derive classifier_threshold and show what it costs: the other messages it also gives the help line."""
    needed = sorted((safety_confidence(p), i["text"]) for i, p in zip(items, parses)
                    if i["expect"] in SAFETY_INTENTS and not (p.get("safety") or {}).get("pattern"))
    upper = round(safety_threshold(needed[0][0]), 2) if needed else 0.85
    print(f"SafetyOverride: {len(needed)} emergency/crisis messages no reviewed pattern catches; the lowest "
          "classifier scores:")
    for confidence, text in needed[:3]:
        print(f"  {confidence:.3f} {text[:90]!r}")
    print(f"  upper bound by the safety-first rule (lowest - {SAFETY_MARGIN}, 0.05 grid): {upper}")
    others = sorted(((safety_confidence(p), i["expect"], i["text"]) for i, p in zip(items, parses)
                     if i["expect"] not in SAFETY_INTENTS), reverse=True)
    feelings = [c for c, kind, _ in others if kind == "feeling"]
    grid = [round(upper - SAFETY_GRID * k, 2) for k in range(int(upper / SAFETY_GRID))]
    # From the hint threshold (HINT_BELOW under it) up: the safety note names 911 and 988 too.
    within = [t for t in grid if sum(c >= t - HINT_BELOW for c in feelings) <= FEELINGS_BUDGET * len(feelings)]
    threshold = min(within) if within else upper
    print(f"  classifier_threshold, the lowest at which at most {FEELINGS_BUDGET:.1%} of {len(feelings)} "
          f"validation feelings get a help line or a safety note: {threshold} (hint_threshold "
          f"{round(threshold - HINT_BELOW, 2)})")
    over = [o for o in others if o[0] >= threshold]
    kinds = {}
    for _, kind, _ in over:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"  other messages that threshold also gives the help line: {len(over)} {kinds}")
    for confidence, kind, text in over[:12]:
        print(f"    {confidence:.3f} {kind:10s} {text[:80]!r}")
    return threshold


def main() -> int:
    items = validation_items()
    parses = asyncio.run(parse_all([i["text"] for i in items]))
    positives = [(i, p) for i, p in zip(items, parses) if i["expect"] == "answer"]
    negatives = [(i, p) for i, p in zip(items, parses) if i["expect"] in ("uncovered", "oos")]
    rows = []
    for values in itertools.product(*GRID.values()):
        config = dict(zip(GRID, values))
        correct = sum(replay(p, config) == i["answer"] for i, p in positives) / len(positives)
        wrong_pos = sum(replay(p, config) not in (None, i["answer"]) for i, p in positives) / len(positives)
        wrong_neg = sum(replay(p, config) is not None for i, p in negatives) / len(negatives)
        rows.append((config, correct, wrong_pos, wrong_neg))
    ok = [r for r in rows if r[1] >= MIN_RIGHT]
    # Where validation cannot tell settings apart, the stricter one: unseen questions are harder.
    score = lambda r: (round(r[1] - WRONG_COST * r[2], 4), -r[3], sum(r[0].values()))
    best = max(ok, key=lambda r: (-r[3], score(r))) if ok else max(rows, key=score)
    print(f"{len(positives)} positives, {len(negatives)} negatives (validation only)")
    print("fewest negatives served with at least {:.0%} of answers served right, then right - {} x wrong:"
          .format(MIN_RIGHT, WRONG_COST))
    print(f"  {best[0]}\n  positives served right {best[1]:.1%}, served wrong {best[2]:.1%}, "
          f"negatives served {best[3]:.1%}")
    print("the trade-off: the most answers served right at each share of negatives served (up to 3%):")
    for rate in sorted({round(r[3], 4) for r in rows if r[3] <= 0.03}):
        config, c, wp, wn = max((r for r in rows if round(r[3], 4) == rate), key=score)
        print(f"  negatives served {wn:.1%}: right {c:.1%}, wrong {wp:.1%}  {config}")
    print("top alternatives:")
    for config, c, wp, wn in sorted(ok, key=score, reverse=True)[:8]:
        print(f"  {config} right={c:.1%} wrong={wp:.1%} neg_served={wn:.1%}")
    print("negatives served at the best setting (what to fix in training data, not in thresholds):")
    for i, p in negatives:
        served = replay(p, best[0])
        if served:
            print(f"  {i['expect']:9s} {i['text'][:90]!r} -> {served}")
    safety = report_safety_confidence(items, parses)
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "thresholds.json").write_text(json.dumps(
        {"best": best[0], "safety_classifier_threshold": safety, "positives_right": best[1], "positives_wrong": best[2], "negatives_served": best[3]},
        indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
