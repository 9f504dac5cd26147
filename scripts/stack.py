"""Start the assistant's processes (action server + Rasa server) for tests, `make eval` and `make bench`.

The same commands as scripts/run.sh, on ports and state files of the caller's choosing, stopped
when the `with` block ends. scripts/scaleout.py starts several of each with the same helpers.
"""
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import settings
from scripts.action_secret import new_secret

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "mbc.tar.gz"


def wait_for(url: str, timeout: float, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


def ask(base_url: str, text: str, sender: str, timeout: float = 30) -> list:
    body = json.dumps({"sender": sender, "message": text}).encode()
    req = urllib.request.Request(f"{base_url}/webhooks/rest/webhook", body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"[]")


def stack_env(state_dir: Path, rasa_port: int, action_port: int, **extra) -> dict:
    env = dict(os.environ)
    env.update({
        "MBC_STATE_DIR": str(state_dir),
        "MBC_ACTION_URL": f"http://127.0.0.1:{action_port}/webhook",
        "MBC_TRACKER_DB_URL": settings.get("MBC_TRACKER_DB_URL_OVERRIDE") or f"sqlite:///{state_dir}/tracker.db",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SANIC_HOST": "127.0.0.1",
    })
    env.update(extra)
    if not env.get("MBC_ACTION_SECRET"):
        env["MBC_ACTION_SECRET"] = new_secret(state_dir / "action_secret")
    return env


def write_config(state_dir: Path, env: dict) -> None:
    """The credentials and endpoints files Rasa reads, for the channels and stores this env switches on."""
    for module, name in (("scripts.credentials", "credentials.yml"), ("scripts.endpoints", "endpoints.yml")):
        subprocess.run([sys.executable, "-m", module, str(state_dir / name)], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def start_actions(env: dict, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)


def start_rasa(env: dict, port: int, log: Path, state_dir: Path, model: Path = MODEL) -> subprocess.Popen:
    # No --enable-api: Rasa's HTTP API can read and rewrite conversations, so it stays closed.
    return subprocess.Popen(
        [sys.executable, "-m", "runtime", "run", "--model", str(model),
         "--endpoints", str(state_dir / "endpoints.yml"), "--credentials", str(state_dir / "credentials.yml"),
         "--port", str(port), "--interface", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=open(log, "a"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(*procs: subprocess.Popen, sig=signal.SIGTERM) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def running_stack(state_dir: Path, rasa_port: int = 15005, action_port: int = 15055, log_dir: Path = None,
                  timeout: float = 180, model: Path = MODEL, **extra_env):
    """Yield (base_url, processes) with both servers answering; stop them afterwards."""
    state_dir.mkdir(parents=True, exist_ok=True)
    log_dir = log_dir or state_dir
    env = stack_env(state_dir, rasa_port, action_port, **extra_env)
    procs = {}
    try:
        procs["actions"] = start_actions(env, action_port, log_dir / "actions.log")
        write_config(state_dir, env)
        procs["rasa"] = start_rasa(env, rasa_port, log_dir / "rasa.log", state_dir, model)
        wait_for(f"http://127.0.0.1:{action_port}/health", timeout, procs["actions"])
        wait_for(f"http://127.0.0.1:{rasa_port}/", timeout, procs["rasa"])
        yield f"http://127.0.0.1:{rasa_port}", procs
    finally:
        stop(*procs.values())
