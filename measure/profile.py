"""`make profile`: where the Rasa server and the action server spend their CPU under load.

Starts the stack as `make bench` does, drives 8 concurrent conversations of eight turns, and samples
both servers with py-spy (a sampling profiler that attaches from outside: the servers run unchanged).
Prints, for each server, its CPU time per message (from /proc) and the load's latency; the share of
the event-loop thread's samples per stage of a message (first matching stage on the stack) and the
functions with the most samples of their own; then the latency of a message by its position in a
48-message conversation (median of 5 conversations; the rate limit per sender is off for that).
Settings such as MBC_TRACKER_TURNS and MBC_TRACKER_THREADS pass through to the servers, so two runs
compare them. Usage: python -m measure.profile [--seconds 20] [--concurrency 8]
"""
import argparse
import collections
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from measure.bench import TURNS, conversation_load
from scripts.stack import BIN, ask, running_stack

# Stages of one message, recognised by (file fragment, function) on a sampled stack; first match wins
# the sample's row in the "stage" table, so the list goes from specific to general.
STAGES = [
    ("NLU: spaCy", ("spacy/", None)),
    ("NLU: linear classifier", ("understanding/linear_classifier.py", None)),
    ("NLU: safety + answer gate", ("understanding/components.py", None)),
    ("NLU: other graph nodes", ("rasa/nlu/", None)),
    ("policies (RulePolicy)", ("rasa/core/policies/", None)),
    ("policies (RulePolicy)", ("runtime/rule_policy.py", None)),
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def latency_by_position(url: str, positions=(3, 12, 24, 48), conversations: int = 5) -> dict:
    """Median latency (ms) of the n-th message of a conversation, over a few long conversations."""
    seen = collections.defaultdict(list)
    for c in range(conversations):
        sender = f"profile-long-{c}-{time.time_ns()}"
        for n in range(1, max(positions) + 1):
            started = time.perf_counter()
            ask(url, TURNS[1 + n % (len(TURNS) - 2)], sender)
            seen[n].append((time.perf_counter() - started) * 1000)
    return {n: round(statistics.median(seen[n]), 1) for n in positions}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="keep py-spy's raw samples in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mbc-profile-") as tmp:
        tmp = args.keep or Path(tmp)
        tmp.mkdir(parents=True, exist_ok=True)
        with running_stack(tmp / "state", 15405, 15455, MBC_RATE_PER_SENDER="0") as (url, procs):
            for _ in range(3):
                conversation_load(url, 1, len(TURNS), TURNS)  # warm up
            stop = time.monotonic() + args.seconds + 2
            loads = []
            load = threading.Thread(target=lambda: [loads.append(conversation_load(url, args.concurrency,
                                                                                   8 * args.concurrency))
                                                    for _ in iter(lambda: time.monotonic() < stop, False)])
            cpu_before = {name: cpu_seconds(p.pid) for name, p in procs.items()}
            load.start()
            spies = {name: record(p.pid, tmp / f"{name}.txt", args.seconds) for name, p in procs.items()}
            for spy in spies.values():
                spy.wait()
            load.join()
            messages = sum(r["messages"] for r in loads)
            print(f"{args.concurrency} conversations at once: {messages} messages, p50 "
                  f"{statistics.median(r['p50_ms'] for r in loads)} ms, p95 {statistics.median(r['p95_ms'] for r in loads)}"
                  f" ms (medians over {len(loads)} loads; py-spy attached, so slower than make bench)")
            for name, p in procs.items():
                print(f"{name} server: {(cpu_seconds(p.pid) - cpu_before[name]) / messages * 1000:.2f} ms of CPU "
                      f"per message")
            for name in spies:
                summarise(tmp / f"{name}.txt", f"{name} server")
            print("\nlatency by the message's position in a conversation (ms): "
                  + ", ".join(f"#{n}: {ms}" for n, ms in latency_by_position(url).items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
