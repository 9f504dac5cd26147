"""`make eval-redaction`: redaction (privacy.redact) on the frozen held-out set.

    python -m measure.eval_redaction [--set FILE] [--out FILE] [--show-misses]

Prints recall per kind of detail, overall recall, the share of ordinary words kept and the time per
message (definitions in measure/redaction_scores.py); writes the figures to results/redaction_eval.json.
The default set, tests/heldout/redaction_heldout.jsonl, was written by someone who never saw the
code and is never tuned on: tune with --set tests/tuning/redaction_validation.jsonl. Misses are
printed only with --show-misses (not for the frozen set, whose messages nobody tunes on).
"""
import argparse
import json
from pathlib import Path

import settings
from measure import redaction_scores as evaluation
from privacy.redact import get_redactor

HELDOUT = settings.ROOT / "tests" / "heldout" / "redaction_heldout.jsonl"
OUT = settings.ROOT / "results" / "redaction_eval.json"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=HELDOUT)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    redactor = get_redactor()
    result = evaluation.evaluate(evaluation.load(args.set), redactor.redact)
    result["set"] = str(args.set.relative_to(settings.ROOT) if args.set.is_absolute() else args.set)
    print(f"Redaction on {result['set']}: {result['messages']} messages, {result['details']} personal details\n")
    print(evaluation.table(result))
    print(f"\npersonal details hidden: {result['recall']:.1%} (target >= 98%; {result['recall_substring']:.1%} when a "
          f"detail still 'appears' as part of a longer word too)")
    print(f"ordinary words kept:     {result['words_kept']:.1%} of {result['ordinary_words']} (target >= 98%)")
    print(f"messages without details left unchanged: {result['messages_without_details_unchanged']}")
    print(f"time per message: p50 {result['ms_wall']['p50']} ms, p95 {result['ms_wall']['p95']} ms wall-clock, "
          f"first run (CPU p95 {result['ms_cpu']['p95']} ms); fastest of {result['ms_wall_best']['repeat']} runs: "
          f"p50 {result['ms_wall_best']['p50']} ms, p95 {result['ms_wall_best']['p95']} ms (target <= 5 ms at p95)")
    if args.show_misses:
        for miss in result["misses"]:
            print(f"  missed {miss['kind']}: {miss['detail']!r} in {miss['redacted']!r}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\n-> {args.out}")


if __name__ == "__main__":
    main()
