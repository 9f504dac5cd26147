"""`make bench`: latency, throughput, memory, cold start and training time, beside a stock project.

Starts the action server and Rasa server (REST channel, SQLite tracker store) on their own ports,
then runs conversations of eight turns at 1, 8 and 32 concurrent conversations and reports latency
percentiles end to end (action server included), throughput, each process's resident memory and the
time from process start to the first answer; the same for this project in scale-out mode on this
machine, for a stock `rasa init` project generated and trained into a temporary folder in the same
run, and for a minimal Rasa project (Rasa's own floor); and the ratios. All of them run side by side
and each round loads them in turn; figures are medians of the rounds, so the machine's drifting
speed weighs on all alike. Figures go to results/bench.json.
Usage: python -m measure.bench [--rounds 3] [--messages N] [--concurrency 1 8 32] [--no-baseline] [--no-train]
"""
import argparse
import concurrent.futures as cf
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import settings
from scripts.stack import BIN, ROOT, ask, running_stack, wait_for

ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}

TURNS = ["hello", "what is stable disease", "can stage I become metastatic", "is it curable",
         "what does progression mean", "what is NED", "what are the goals of treatment", "thanks"]


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Rasa and the action server fork no workers here)."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def conversation_load(url: str, concurrency: int, messages: int, turns=TURNS) -> dict:
    per_worker = max(len(turns), messages // concurrency)

    def worker(i):
        latencies, errors = [], 0
        for j in range(per_worker):
            if j % len(turns) == 0:
                sender = f"bench-{uuid.uuid4().hex}"
            start = time.perf_counter()
            try:
                reply = ask(url, turns[(i + j) % len(turns)], sender)
                if not reply:
                    errors += 1
            except Exception:
                errors += 1
                continue
            latencies.append((time.perf_counter() - start) * 1000)
        return latencies, errors

    started = time.perf_counter()
    with cf.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(worker, range(concurrency)))
    wall = time.perf_counter() - started
    latencies = [x for r, _ in results for x in r]
    return {"concurrency": concurrency, "messages": len(latencies), "errors": sum(e for _, e in results),
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
            "max_ms": round(max(latencies), 1), "throughput_msg_s": round(len(latencies) / wall, 1)}


BASELINE_TURNS = ["hello", "I am sad", "yes", "I am great", "are you a bot?", "goodbye", "hi", "very good"]


@contextlib.contextmanager
def baseline_stack(tmp: Path, port: int = 15805):
    """A stock `rasa init` project, generated and trained here, served over REST (no action server)."""
    project = tmp / "stock"
    project.mkdir()
    started = time.perf_counter()
    subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)], cwd=tmp,
                   env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    train_s = time.perf_counter() - started
    model = next((project / "models").glob("*.tar.gz"))
    started = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "rasa"), "run", "--model", str(model), "--port", str(port),
                             "--interface", "127.0.0.1", "--credentials", str(project / "credentials.yml")],
                            cwd=project, env=ENV, stdout=open(tmp / "stock.log", "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/", 300, proc)
        yield f"http://127.0.0.1:{port}", {"rasa": proc}, train_s, started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


# The least a Rasa 3.6 server can do per message: keyword intents, one rule, one response, trackers in
# memory, no action server. Its throughput bounds what any Rasa project can reach on this machine.
FLOOR_PROJECT = {
    "config.yml": "recipe: default.v1\nassistant_id: floor\nlanguage: en\npipeline:\n"
                  "- name: KeywordIntentClassifier\npolicies:\n- name: RulePolicy\n",
    "domain.yml": 'version: "3.1"\nintents:\n- greet\nresponses:\n  utter_greet:\n  - text: "Hello."\n',
    "data/nlu.yml": 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n    - hi\n',
    "data/rules.yml": 'version: "3.1"\nrules:\n- rule: greet\n  steps:\n  - intent: greet\n  - action: utter_greet\n',
    "credentials.yml": "rest:\n",
}
FLOOR_TURNS = ["hello", "hi"] * 4


@contextlib.contextmanager
def floor_stack(tmp: Path, port: int = 15905):
    project = tmp / "floor"
    for name, text in FLOOR_PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    subprocess.run([str(BIN / "rasa"), "train", "--fixed-model-name", "floor"], cwd=project, env=ENV, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "rasa"), "run", "--model", "models/floor.tar.gz", "--port", str(port),
                             "--interface", "127.0.0.1", "--credentials", "credentials.yml"],
                            cwd=project, env=ENV, stdout=open(tmp / "floor.log", "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/", 300, proc)
        yield f"http://127.0.0.1:{port}", {"rasa": proc}, started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


@contextlib.contextmanager
def scaleout_stack(tmp: Path, servers: int = 2):
    """This project in scale-out mode on this machine: `servers` Rasa servers and action servers behind
    nginx, conversations in a fresh PostgreSQL database, the lock in Redis (both on 127.0.0.1)."""
    from scripts.pg import temporary_database
    from scripts.scaleout import running_scaleout
    started = time.perf_counter()
    with temporary_database("mbc_bench") as db_url, \
            running_scaleout(tmp / "scaleout", [15711 + i for i in range(servers)],
                             [15721 + i for i in range(servers)], 15700, 15710, models_port=15709,
                             MBC_TRACKER_DB_URL=db_url,
                             MBC_REDIS_URL=settings.get("MBC_BENCH_REDIS_URL"),
                             MBC_REDIS_PREFIX=f"bench{uuid.uuid4().hex[:8]}",
                             MBC_CONTENT_DB_URL=f"sqlite:///{ROOT / 'var' / 'content.db'}") as cluster:
        yield cluster.public_url, {n: p for n, p in cluster.procs.items() if n != "nginx"}, started


def train_seconds(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN / "rasa"), "train", "--force", "--fixed-model-name", "bench", "--out", str(out)],
                   cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def cold_start(url, turns, started) -> float:
    """Seconds from process start to the first answer, then a warm-up (first calls load lazily)."""
    ask(url, turns[1], f"bench-cold-{uuid.uuid4().hex}")
    seconds = round(time.perf_counter() - started, 1)
    for _ in range(3):
        conversation_load(url, 1, len(turns), turns)
    return seconds


def median_of_rounds(rounds: list) -> list:
    """Per load level, the median over rounds of p50, p95 and throughput (the machine's speed drifts)."""
    levels = []
    for same_level in zip(*rounds):
        level = {"concurrency": same_level[0]["concurrency"], "errors": sum(r["errors"] for r in same_level),
                 "messages": sum(r["messages"] for r in same_level)}
        for key in ("p50_ms", "p95_ms", "throughput_msg_s"):
            level[key] = round(statistics.median(r[key] for r in same_level), 1)
        levels.append(level)
    return levels


def print_side_by_side(ours: dict, stock: dict) -> None:
    print(f"\n{'':28s} {'this project':>14s} {'stock rasa init':>16s} {'ratio':>7s}")
    for mine, theirs in zip(ours["load"], stock["load"]):
        for key in ("p50_ms", "p95_ms", "throughput_msg_s"):
            label = f"conc={mine['concurrency']} {key}"
            print(f"{label:28s} {mine[key]:14.1f} {theirs[key]:16.1f} {mine[key] / theirs[key]:7.2f}")
    rows = [("saturation msg/s", ours["saturation_msg_s"], stock["saturation_msg_s"]),
            ("cold start s", ours["cold_start_s"], stock["cold_start_s"]),
            ("rasa server RSS MB", ours["rss_mb"]["rasa"], stock["rss_mb"]["rasa"])]
    if "train_s" in ours and "train_s" in stock:
        rows.append(("training s", ours["train_s"], stock["train_s"]))
    for label, a, b in rows:
        print(f"{label:28s} {a:14.1f} {b:16.1f} {a / b:7.2f}")
    print(f"{'action server RSS MB':28s} {ours['rss_mb']['actions']:14.1f} {'(none)':>16s}")


def saturation_ratios(report: dict, name: str) -> list:
    """This system's saturation over the stock project's, round by round (both measured minutes apart)."""
    return [round(max(r["throughput_msg_s"] for r in mine) / max(r["throughput_msg_s"] for r in theirs), 2)
            for mine, theirs in zip(report[name]["rounds"], report["stock"]["rounds"])]


def print_targets(report: dict) -> None:
    ours, levels = report["ours"], {r["concurrency"]: r for r in report["ours"]["load"]}
    checks = []
    if 1 in levels:
        checks += [("one conversation p50 <= 20 ms", levels[1]["p50_ms"], levels[1]["p50_ms"] <= 20),
                   ("one conversation p95 <= 40 ms", levels[1]["p95_ms"], levels[1]["p95_ms"] <= 40)]
    for name in ("ours", "scaleout"):
        if name in report and 8 in {r["concurrency"] for r in report[name]["load"]}:
            p95 = next(r["p95_ms"] for r in report[name]["load"] if r["concurrency"] == 8)
            checks.append((f"{name}: 8 conversations p95 < 150 ms", p95, p95 < 150))
        if name in report and "stock" in report:
            ratio = statistics.median(saturation_ratios(report, name))
            checks.append((f"{name}: saturation >= 4 x stock (median of rounds)", ratio, ratio >= 4))
    checks.append(("cold start < 20 s", ours["cold_start_s"], ours["cold_start_s"] < 20))
    print("\nTargets (issue 7), this run:")
    for label, value, met in checks:
        print(f"  {'met    ' if met else 'NOT met'}  {label}: {value}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400, help="messages per load level and round")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of load; each round measures every system in turn, figures are medians")
    parser.add_argument("--no-baseline", action="store_true", help="skip the stock rasa init project")
    parser.add_argument("--no-train", action="store_true", help="skip measuring training time")
    parser.add_argument("--no-floor", action="store_true", help="skip the minimal Rasa project (Rasa's own floor)")
    parser.add_argument("--no-scaleout", action="store_true",
                        help="skip scale-out mode on this machine (2+2 servers, nginx, PostgreSQL, Redis)")
    args = parser.parse_args()
    report = {"machine": {"cpus": os.cpu_count()}, "rounds": args.rounds}
    with tempfile.TemporaryDirectory(prefix="mbc-bench-") as tmp, contextlib.ExitStack() as stacks:
        tmp = Path(tmp)
        # Every system is started (one at a time, for its cold start) and kept running; then each round
        # loads them in turn, so a slow minute of the machine weighs on all of them alike.
        systems = {}
        started = time.perf_counter()
        url, procs = stacks.enter_context(running_stack(
            tmp / "ours", rasa_port=15405, action_port=15455,
            MBC_CONTENT_DB_URL=f"sqlite:///{ROOT / 'var' / 'content.db'}"))
        systems["ours"] = (url, procs, TURNS, cold_start(url, TURNS, started))
        if not args.no_scaleout:
            url, procs, started = stacks.enter_context(scaleout_stack(tmp))
            systems["scaleout"] = (url, procs, TURNS, cold_start(url, TURNS, started))
        if not args.no_baseline:
            url, procs, train_s, started = stacks.enter_context(baseline_stack(tmp))
            systems["stock"] = (url, procs, BASELINE_TURNS, cold_start(url, BASELINE_TURNS, started))
            report["stock"] = {"train_s": round(train_s, 1)}
        if not args.no_floor:
            url, procs, started = stacks.enter_context(floor_stack(tmp))
            systems["floor"] = (url, procs, FLOOR_TURNS, cold_start(url, FLOOR_TURNS, started))
        for name, (url, procs, turns, cold) in systems.items():
            report.setdefault(name, {}).update({"cold_start_s": cold, "rounds": []})
        for round_number in range(args.rounds):
            for name, (url, procs, turns, _) in systems.items():
                report[name]["rounds"].append([conversation_load(url, conc, args.messages, turns)
                                               for conc in args.concurrency])
                print(f"round {round_number + 1}: {name} done", flush=True)
        for name, (url, procs, turns, _) in systems.items():
            report[name]["load"] = median_of_rounds(report[name]["rounds"])
            report[name]["saturation_msg_s"] = round(statistics.median(
                max(r["throughput_msg_s"] for r in levels) for levels in report[name]["rounds"]), 1)
            report[name]["rss_mb"] = {n: round(rss_mb(p.pid), 1) for n, p in procs.items()}
        stacks.close()
        if not args.no_train:
            report["ours"]["train_s"] = round(train_seconds(tmp / "train"), 1)
    print(f"\nMedians of {args.rounds} rounds, {args.messages} messages per load level and round:")
    for name in ("ours", "scaleout", "stock", "floor"):
        for r in report.get(name, {}).get("load", []):
            print(f"{name:8s} conc={r['concurrency']:<3d} msgs={r['messages']:<5d} errors={r['errors']} "
                  f"p50={r['p50_ms']}ms p95={r['p95_ms']}ms throughput={r['throughput_msg_s']} msg/s")
    ours = report["ours"]
    print(f"cold start (process start to first answer): {ours['cold_start_s']} s")
    print("resident memory: " + ", ".join(f"{k} {v} MB" for k, v in ours["rss_mb"].items()))
    if "stock" in report:
        print_side_by_side(ours, report["stock"])
        ratios = saturation_ratios(report, "ours")
        print(f"saturation ratio round by round: {ratios} (median {statistics.median(ratios)}, the target's figure;"
              f" the row above divides the medians)")
    if "scaleout" in report and "stock" in report:
        out, stock = report["scaleout"], report["stock"]
        print("\nscale-out on this machine (2 Rasa + 2 action servers, nginx, PostgreSQL, Redis) vs stock:")
        for mine, theirs in zip(out["load"], stock["load"]):
            print(f"  conc={mine['concurrency']:<3d} p50 {mine['p50_ms']} ms ({mine['p50_ms'] / theirs['p50_ms']:.2f}x) "
                  f"p95 {mine['p95_ms']} ms ({mine['p95_ms'] / theirs['p95_ms']:.2f}x)")
        print(f"  saturation {out['saturation_msg_s']} msg/s = {out['saturation_msg_s'] / stock['saturation_msg_s']:.2f} x stock"
              f" (round by round: {saturation_ratios(report, 'scaleout')}); resident memory "
              + ", ".join(f"{k} {v} MB" for k, v in out["rss_mb"].items()))
    if "floor" in report and "stock" in report:
        floor, stock = report["floor"]["saturation_msg_s"], report["stock"]["saturation_msg_s"]
        print(f"\nRasa's floor (keyword intents, one rule, in-memory trackers, no action server): "
              f"{floor} msg/s = {floor / stock:.2f} x the stock project's saturation throughput")
    print_targets(report)
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "bench.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
