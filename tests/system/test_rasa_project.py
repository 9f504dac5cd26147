"""Rasa's own checks: the training data validates, and the test stories pass with the trained model."""
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

import settings
from scripts.stack import ask, stop, wait_for

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


def test_plain_rasa_commands_work_from_the_project_root(tmp_path):
    """`rasa run` and `rasa run actions` with the root endpoints.yml and credentials.yml, as a Rasa user
    runs them; only the ports and the SQLite file are moved out of the way of a running `make run`."""
    endpoints = (ROOT / "endpoints.yml").read_text()
    moved = endpoints.replace("localhost:5055", "localhost:16255").replace("sqlite:///var/tracker.db",
                                                                          f"sqlite:///{tmp_path}/t/tracker.db")
    assert moved.count("16255") == 1 and moved.count(str(tmp_path)) == 1
    (tmp_path / "endpoints.yml").write_text(moved)
    env = {k: v for k, v in os.environ.items() if k != "MBC_ACTION_SECRET"}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    actions = subprocess.Popen([RASA, "run", "actions", "--port", "16255"], cwd=ROOT, env=env,
                               stdout=open(tmp_path / "actions.log", "w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = subprocess.Popen([RASA, "run", "--port", "16205", "--endpoints", str(tmp_path / "endpoints.yml")],
                              cwd=ROOT, env=env, stdout=open(tmp_path / "rasa.log", "w"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for("http://127.0.0.1:16255/health", 120, actions)
        wait_for("http://127.0.0.1:16205/", 180, server)
        reply = ask("http://127.0.0.1:16205", "what is stable disease", f"plain-{uuid.uuid4().hex}")
        assert any("This is called stable disease." in (m.get("text") or "") for m in reply), reply
        with pytest.raises(urllib.error.HTTPError) as closed:  # Rasa's HTTP API stays off
            urllib.request.urlopen("http://127.0.0.1:16205/conversations/x/tracker", timeout=10)
        assert closed.value.code in (401, 403, 404)
    finally:
        stop(actions, server)
    assert (tmp_path / "t" / "tracker.db").exists()  # the project's tracker store made its folder
