"""`make profile`: where the Rasa server and the action server spend their CPU under load.

Starts the stack as `make bench` does, drives 8 concurrent conversations of eight turns, and samples
both servers with py-spy (a sampling profiler that attaches from outside: the servers run unchanged).
Prints each process's share of samples per stage of a message (inclusive: a stage counts every sample
with that stage's code anywhere on the stack) and the functions with the most samples of their own.
Usage: python -m scripts.profile [--seconds 20] [--concurrency 8]
"""
import argparse
import collections
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from scripts.bench import TURNS, conversation_load
from scripts.stack import BIN, running_stack

# Stages of one message, recognised by (file fragment, function) on a sampled stack; first match wins
# the sample's row in the "stage" table, so the list goes from specific to general.
STAGES = [
    ("NLU: spaCy", ("spacy/", None)),
    ("NLU: linear classifier", ("mbc/linear_classifier.py", None)),
    ("NLU: safety + answer gate", ("mbc/rasa_components.py", None)),
    ("NLU: other graph nodes", ("rasa/nlu/", None)),
    ("policies (RulePolicy)", ("rasa/core/policies/", None)),
    ("tracker store: read", ("tracker_store.py", "retrieve")),
    ("tracker store: write", ("tracker_store.py", "save")),
    ("action response check (jsonschema)", ("jsonschema/", None)),
    ("action call (HTTP client, JSON)", ("rasa/core/actions/action.py", "run")),
    ("tracker events (update/serialise)", ("rasa/shared/core/trackers.py", None)),
    ("Rasa graph runner (dask)", ("dask/", None)),
    ("Rasa message processor", ("rasa/core/processor.py", None)),
    ("rest channel + Sanic", ("sanic/", None)),
]


# Leaf frames where a server's event loop waits in epoll for work.
IDLE = ("serve (sanic/server/runners.py", "select (selectors.py", "run_forever (asyncio/base_events.py",
        "_run_once (asyncio/base_events.py", "run (uvloop", "_worker (concurrent/futures/thread.py")


def parse_raw(path: Path):
    """py-spy's raw (collapsed) output: 'frame;frame;... count' lines, outermost frame first."""
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            yield stack.split(";"), int(count)


def stage_of(frames) -> str:
    for name, (file_part, function) in STAGES:
        for frame in frames:
            if file_part in frame and (function is None or frame.startswith(function + " ")):
                return name
    return "other"


def on_event_loop(frames) -> bool:
    """Whether a sample is of the server's event-loop thread (not a helper thread waiting on a database)."""
    return any(f.startswith(("serve (sanic/server/runners.py", "run_forever (asyncio/base_events.py")) for f in frames)


def summarise(path: Path, title: str) -> dict:
    stages, own = collections.Counter(), collections.Counter()
    total = helpers = 0
    for frames, count in parse_raw(path):
        if frames[-1].startswith(IDLE):
            continue  # waiting for work (py-spy counts an event loop in epoll as running)
        if not on_event_loop(frames):
            helpers += count  # the tracker store's database thread(s): SQL, JSON, fsync waits
            continue
        total += count
        stages[stage_of(frames)] += count
        own[frames[-1].split(" (")[0] + " (" + frames[-1].split("(")[-1]] += count
    print(f"\n{title}: {total} busy samples of the event-loop thread; helper threads (tracker store) "
          f"{helpers} more, {helpers / max(total, 1):.0%} of that")
    for name, count in stages.most_common():
        print(f"  {count / total:6.1%}  {name}")
    print("  functions with the most samples of their own:")
    for name, count in own.most_common(12):
        print(f"  {count / total:6.1%}  {name[:110]}")
    return {"busy_samples": total, "helper_samples": helpers, "stages": {k: v / total for k, v in stages.items()}}


def record(pid: int, out: Path, seconds: int) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "py-spy"), "record", "--format", "raw", "--rate", "250", "--nonblocking",
                             "--duration", str(seconds), "--pid", str(pid), "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="keep py-spy's raw samples in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mbc-profile-") as tmp:
        tmp = args.keep or Path(tmp)
        tmp.mkdir(parents=True, exist_ok=True)
        with running_stack(tmp / "state", 15405, 15455) as (url, procs):
            for _ in range(3):
                conversation_load(url, 1, len(TURNS), TURNS)  # warm up
            stop = time.monotonic() + args.seconds + 2
            load = threading.Thread(target=lambda: [conversation_load(url, args.concurrency, 8 * args.concurrency)
                                                    for _ in iter(lambda: time.monotonic() < stop, False)])
            load.start()
            spies = {name: record(p.pid, tmp / f"{name}.txt", args.seconds) for name, p in procs.items()}
            for spy in spies.values():
                spy.wait()
            load.join()
            for name in spies:
                summarise(tmp / f"{name}.txt", f"{name} server")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
