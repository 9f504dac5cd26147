"""`make bench`: latency, throughput, memory and cold start of the assistant as users run it.

Starts the action server and Rasa server (REST channel, SQLite tracker store) on their own ports,
then runs conversations of eight turns at 1 and 8 concurrent conversations and reports latency
percentiles end to end (action server included), throughput, each process's resident memory and the
time from process start to the first answer. Figures go to results/bench.json.
Usage: python -m scripts.bench [--messages N] [--concurrency 1 8]
"""
import argparse
import concurrent.futures as cf
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from scripts.stack import ROOT, ask, running_stack

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


def conversation_load(url: str, concurrency: int, messages: int) -> dict:
    per_worker = max(len(TURNS), messages // concurrency)

    def worker(i):
        latencies, errors = [], 0
        for j in range(per_worker):
            if j % len(TURNS) == 0:
                sender = f"bench-{uuid.uuid4().hex}"
            start = time.perf_counter()
            try:
                reply = ask(url, TURNS[(i + j) % len(TURNS)], sender)
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400, help="messages per load level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    report = {"machine": {"cpus": os.cpu_count()}, "load": []}
    with tempfile.TemporaryDirectory(prefix="mbc-bench-") as tmp:
        started = time.perf_counter()
        with running_stack(Path(tmp), rasa_port=15405, action_port=15455,
                           MBC_CONTENT_DB_URL=f"sqlite:///{ROOT / 'var' / 'content.db'}") as (url, procs):
            ask(url, "what is stable disease", "bench-cold")
            report["cold_start_s"] = round(time.perf_counter() - started, 1)
            for _ in range(3):  # warm up: first calls build TensorFlow graphs
                conversation_load(url, 1, len(TURNS))
            for conc in args.concurrency:
                result = conversation_load(url, conc, args.messages)
                report["load"].append(result)
                print(f"conc={conc:<3d} msgs={result['messages']:<5d} errors={result['errors']} "
                      f"p50={result['p50_ms']}ms p95={result['p95_ms']}ms max={result['max_ms']}ms "
                      f"throughput={result['throughput_msg_s']} msg/s")
            report["rss_mb"] = {name: round(rss_mb(p.pid), 1) for name, p in procs.items()}
    print(f"cold start (process start to first answer): {report['cold_start_s']} s")
    print("resident memory: " + ", ".join(f"{k} {v} MB" for k, v in report["rss_mb"].items()))
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "bench.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
