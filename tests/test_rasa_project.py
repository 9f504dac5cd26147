"""Rasa's own checks: the training data validates, and the test stories pass with the trained model."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")


def test_rasa_data_validate():
    result = subprocess.run([RASA, "data", "validate", "--fail-on-warnings"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_rasa_story_tests(tmp_path):
    result = subprocess.run([RASA, "test", "core", "--model", "models/rasa/mbc.tar.gz",
                             "--stories", "tests/stories", "--out", str(tmp_path),
                             "--fail-on-prediction-errors"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert not (tmp_path / "failed_test_stories.yml").exists() or \
        "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text()
