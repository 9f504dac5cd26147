"""Rasa's own checks: the training data validates, and the test stories pass with the trained model."""
import re
import subprocess
import sys
from pathlib import Path

import settings

ROOT = settings.ROOT
RASA = str(Path(sys.executable).parent / "rasa")
# Intents only buttons send (no typed examples), and responses uttered by custom actions rather than by
# rules: Rasa's validator warns about both. Any other warning fails the test.
PAYLOAD_ONLY_INTENTS = {"choose_answer", "feedback"}


def uttered_by_actions() -> set:
    code = "\n".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    return set(re.findall(r'"(utter_[a-z_]+)"', code)) | {"utter_faq"}


def test_rasa_data_validate():
    result = subprocess.run([RASA, "data", "validate"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    unexpected = []
    for warning in re.findall(r"UserWarning: (.*)", output):
        intent = re.match(r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU", warning)
        utterance = re.match(r"The utterance '(\w+)' is not used in any story or rule", warning)
        if intent and intent.group(1) in PAYLOAD_ONLY_INTENTS:
            continue
        if utterance and utterance.group(1) in uttered_by_actions():
            continue
        if warning.startswith("The following duplicated intents have been found across multiple domain files: faq"):
            continue  # the retrieval intent is declared in the domain and implied by faq/<id> examples
        unexpected.append(warning)
    assert not unexpected, unexpected


def test_rasa_story_tests(tmp_path):
    result = subprocess.run([RASA, "test", "core", "--model", "models/mbc.tar.gz",
                             "--stories", "tests/stories", "--out", str(tmp_path),
                             "--fail-on-prediction-errors"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_no_rule_looks_back_further_than_the_tracker_store_reads():
    """The tracker store hands Rasa the DEFAULT_TURNS user turns before the new message (runtime/tracker_store.py):
    a rule spanning more turns than those and the new one would stop matching in long conversations."""
    import yaml

    from runtime.tracker_store import DEFAULT_TURNS
    spans = {}
    for path in (ROOT / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            steps = rule["steps"]
            user_turns = sum(1 for s in steps if "intent" in s or "or" in s)
            # A rule that starts with the bot's action looks back into the turn before its first intent.
            spans[rule["rule"]] = user_turns + (1 if steps and "action" in steps[0] else 0)
    assert spans and max(spans.values()) <= DEFAULT_TURNS + 1, {k: v for k, v in spans.items() if v > DEFAULT_TURNS + 1}
    assert max(spans.values()) == 2  # "yes" right after an answer: the rule that sets the window today
