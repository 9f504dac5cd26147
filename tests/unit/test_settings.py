"""settings.py is the one place that reads the environment: every variable the project names is
declared there with its default, nothing else reads os.environ for a setting, and the configuration
page in docs/ is the table it generates."""
import ast
import collections
import re
import subprocess
import sys

import pytest

import settings

ROOT = settings.ROOT
PRODUCT = ["actions", "channels", "content", "understanding", "runtime", "privacy", "review", "web", "measure",
           "rasa_sdk_plugins", "scripts"]
NAMED = re.compile(r"\bMBC_[A-Z0-9_]*[A-Z0-9]\b")


def tracked_files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / name for name in out.splitlines()
            if not name.startswith("tests/heldout/") and (ROOT / name).is_file()
            and name.rsplit(".", 1)[-1] in ("py", "yml", "yaml", "sh", "md", "template", "html", "js", "run")
            or name in ("Makefile", ".ci/run")]


def test_every_variable_the_project_names_is_declared():
    named = set()
    for path in tracked_files():
        named |= set(NAMED.findall(path.read_text(encoding="utf-8", errors="replace")))
    named.discard("MBC_TWILIO")  # a prefix in channels/twilio.py, not a variable
    assert named - set(settings.BY_NAME) == set()


def test_every_declared_variable_is_used():
    """Named somewhere besides its declaration and the generated page."""
    uses = collections.Counter()
    for path in tracked_files():
        if not path.match("docs/configuration.md"):
            uses.update(NAMED.findall(path.read_text(encoding="utf-8", errors="replace")))
    assert [name for name in settings.BY_NAME if uses[name] < 2] == []


def environment_reads(tree):
    """os.environ.get(...), os.environ[...] read, os.getenv(...): reads of one variable."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = ast.unparse(node.func)
            if target in ("os.environ.get", "os.getenv", "environ.get"):
                yield node.lineno
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and ast.unparse(node.value) == "os.environ":
            yield node.lineno


def test_nothing_else_reads_a_setting_from_the_environment():
    found = []
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" not in path.parts:
                found += [f"{path.relative_to(ROOT)}:{line}" for line in environment_reads(ast.parse(path.read_text()))]
    assert found == []


def test_the_configuration_page_is_the_generated_table():
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert settings.table() in page, "run: python -m settings table, and paste it into docs/configuration.md"


def test_unset_or_empty_means_the_default(monkeypatch):
    monkeypatch.setenv("MBC_RASA_PORT", "")
    monkeypatch.delenv("MBC_ACTION_URL", raising=False)
    monkeypatch.setenv("MBC_ACTION_PORT", "6000")
    assert settings.get("MBC_RASA_PORT") == "5005"
    assert settings.get("MBC_ACTION_URL") == "http://127.0.0.1:6000/webhook"  # worked out from another setting
    monkeypatch.setenv("MBC_ACTION_URL", "http://actions:5055/webhook")
    assert settings.get("MBC_ACTION_URL") == "http://actions:5055/webhook"


def test_an_undeclared_name_is_an_error():
    with pytest.raises(KeyError):
        settings.get("MBC_" + "NOT_A_SETTING")  # spelt in two parts: the scan above must not see it


def test_export_gives_the_shell_every_default(tmp_path):
    script = "eval \"$(%s -m settings export)\"; echo \"$MBC_TRACKER_DB_URL|$MBC_RATE_EXEMPT\"" % sys.executable
    env = {"PATH": "/usr/bin:/bin", "MBC_STATE_DIR": str(tmp_path)}
    out = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"sqlite:///{tmp_path}/tracker.db|127.0.0.1 ::1"
