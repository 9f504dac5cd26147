"""The library of articles, measured: a second article added as files, answered with no example questions.

The second article is the clinical-trials test fixture (tests/fixtures/content: a fictional publisher,
written for the tests, never served outside them). For each stage this trains a model on data/ with the
content of data/content plus the fixture (MBC_CONTENT_DIR pointing at a joined copy), loads a content
store from the same files, starts the assistant, and reports:
- the fixture's held-out set (tests/heldout/trials_article_heldout.jsonl, written by someone who read
  only that article; never trained or tuned on), or with --validation its validation set;
- the first article's patients' held-out set (its figures must not drop);
- ../shared/eval's consumer_health_questions and clinc_oos_test, when present.
Stages: `none` (the fixture's answers have no examples: only their passages, titles and sections) and
`examples` (plus 5 accepted example questions per answer, tests/fixtures/content/trials_examples.yml,
standing in for examples staff accepted in the review app).
Usage: python -m measure.library_eval [--stage none|examples|both] [--validation] [--skip-shared]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from content.files import join_content
from scripts.stack import BIN, ROOT, running_stack

FIXTURE = ROOT / "tests" / "fixtures" / "content"
EXAMPLES = FIXTURE / "trials_examples.yml"
HELDOUT = ROOT / "tests" / "heldout" / "trials_article_heldout.jsonl"
VALIDATION = ROOT / "tests" / "tuning" / "trials_article_validation.jsonl"  # not validation*.jsonl: the served library's tuning never reads it


def train(work: Path, env: dict, with_examples: bool) -> Path:
    data = [str(ROOT / "data")] + ([str(EXAMPLES)] if with_examples else [])
    name = "library-examples" if with_examples else "library"
    subprocess.run([str(BIN / "rasa"), "train", "--fixed-model-name", name, "--out", str(work), "--data", *data],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return work / f"{name}.tar.gz"


def stage(work: Path, with_examples: bool, validation: bool, skip_shared: bool) -> dict:
    from measure import evaluate  # reads MBC_CONTENT_DIR, set before this is called
    env = dict(os.environ)
    model = train(work, env, with_examples)
    content_url = f"sqlite:///{work / 'content.db'}"
    subprocess.run([sys.executable, "-m", "content.load", "--url", content_url], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    title = "with 5 examples per answer" if with_examples else "no examples"
    print(f"\n=== Second article, {title} ===")
    with running_stack(work / ("stack-examples" if with_examples else "stack"), rasa_port=15205, action_port=15255,
                       model=model, MBC_CONTENT_DB_URL=content_url) as (url, _):
        report = {"second_article": evaluate.patients(url, VALIDATION if validation else HELDOUT,
                                                      show_misses=validation),
                  "first_article": evaluate.patients(url, show_misses=False)}
        if not skip_shared:
            report["shared"] = evaluate.shared_sets(url, work, ["consumer_health_questions", "clinc_oos_test"])
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=["none", "examples", "both"], default="both")
    parser.add_argument("--validation", action="store_true",
                        help="the second article's validation set (for tuning) instead of its held-out set")
    parser.add_argument("--skip-shared", action="store_true", help="skip the ../shared/eval sets")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the models and stores there")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="mbc-library-") as tmp:
        work = Path(args.keep or tmp)
        os.environ["MBC_CONTENT_DIR"] = str(join_content(work / "content", ROOT / "data" / "content", FIXTURE))
        for with_examples in {"none": [False], "examples": [True], "both": [False, True]}[args.stage]:
            results["examples" if with_examples else "none"] = stage(work, with_examples, args.validation,
                                                                     args.skip_shared)
    out = ROOT / "results" / ("library_validation.json" if args.validation else "library.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
