"""How well redaction hides personal details and keeps everything else (measure/eval_redaction.py).

A set is JSON lines {"text": ..., "details": [{"kind": ..., "text": ...}]}, each detail's text a piece of
the message. Per message redacted on its own:
  * a detail is hidden when its text no longer appears in the redacted message (as a whole word: "Ng"
    is not in "driving") and none of its words of 4+ characters survives there: "[ADDRESS],
    Springfield" misses "742 Evergreen Terrace, Springfield". A word survives when the redacted message
    has it more often than the rest of the message does ("about" in "I blog about it at [URL]");
  * recall, per kind and overall: hidden details / details; precision: the share of the words outside
    every detail that the redacted message still has (a multiset, placeholders left out);
  * time: wall-clock and CPU ms of redact() per message after a warm-up: p50, p95, max of each
    message's first run ("ms_wall", "ms_cpu") and of its fastest of `repeat` runs ("ms_wall_best").
"""
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List

WORD_RE = re.compile(r"[^\W_]+")
PLACEHOLDER_RE = re.compile(r"\[[A-Z][A-Z ]+\]")


def load(path: Path) -> List[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def hidden(detail: str, redacted: str, elsewhere: Counter = Counter(), whole_word: bool = True) -> bool:
    """`elsewhere`: the words of the message outside its details. A word of the detail survives when
    the redacted message has it more often than they do ("I blog about it at www.../about-me")."""
    if (re.search(rf"(?<!\w){re.escape(detail)}(?!\w)", redacted) if whole_word else detail in redacted):
        return False  # still there as written ("Ng" is not in "driving")
    left = Counter(WORD_RE.findall(PLACEHOLDER_RE.sub(" ", redacted)))
    return not any(len(w) >= 4 and left[w] > elsewhere[w] for w in WORD_RE.findall(detail))


def ordinary_words(text: str, details: List[str]) -> List[str]:
    """The words of the text that lie outside every occurrence of every detail."""
    covered = []
    for d in details:
        covered += [(m.start(), m.end()) for m in re.finditer(re.escape(d), text)] if d else []
    return [m.group() for m in WORD_RE.finditer(text)
            if not any(m.start() < e and s < m.end() for s, e in covered)]


def percentile(values: List[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = min(len(values) - 1, max(0, int(round(q * (len(values) - 1)))))
    return values[k]


def evaluate(items: List[dict], redact: Callable[[str], str], warmup: int = 20, repeat: int = 5) -> Dict:
    for item in items[:warmup]:
        redact(item["text"])
    per_kind: Dict[str, List[int]] = {}
    misses, wall, cpu, best = [], [], [], []
    kept = total = unchanged = plain = strict = 0
    for item in items:
        text = item["text"]
        w0, c0 = time.perf_counter(), time.thread_time()
        out = redact(text)
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        fastest = wall[-1]
        for _ in range(repeat - 1):
            w0 = time.perf_counter()
            redact(text)
            fastest = min(fastest, (time.perf_counter() - w0) * 1000)
        best.append(fastest)
        words = ordinary_words(text, [d["text"] for d in item["details"]])
        for d in item["details"]:
            ok = hidden(d["text"], out, Counter(words))
            strict += hidden(d["text"], out, Counter(words), whole_word=False)
            per_kind.setdefault(d["kind"], [0, 0])[0] += ok
            per_kind[d["kind"]][1] += 1
            if not ok:
                misses.append({"kind": d["kind"], "detail": d["text"], "redacted": out})
        left = Counter(WORD_RE.findall(PLACEHOLDER_RE.sub(" ", out)))
        for word in words:
            total += 1
            if left[word] > 0:
                left[word] -= 1
                kept += 1
        if not item["details"]:
            plain += 1
            unchanged += out == text
    found = sum(v[0] for v in per_kind.values())
    details = sum(v[1] for v in per_kind.values())
    return {
        "messages": len(items), "details": details,
        "recall": round(found / details, 4) if details else None,
        "recall_substring": round(strict / details, 4) if details else None,  # "appears" as any substring
        "per_kind": {k: {"hidden": v[0], "details": v[1], "recall": round(v[0] / v[1], 4)}
                     for k, v in sorted(per_kind.items())},
        "words_kept": round(kept / total, 4) if total else None, "ordinary_words": total,
        "messages_without_details_unchanged": f"{unchanged}/{plain}",
        "ms_wall": {"p50": round(percentile(wall, .5), 2), "p95": round(percentile(wall, .95), 2),
                    "max": round(max(wall, default=0), 2)},
        "ms_cpu": {"p50": round(percentile(cpu, .5), 2), "p95": round(percentile(cpu, .95), 2),
                   "max": round(max(cpu, default=0), 2)},
        "ms_wall_best": {"p50": round(percentile(best, .5), 2), "p95": round(percentile(best, .95), 2),
                         "max": round(max(best, default=0), 2), "repeat": repeat},
        "misses": misses,
    }


def table(result: Dict) -> str:
    lines = ["| kind | hidden | details | recall |", "| --- | ---: | ---: | ---: |"]
    for kind, v in result["per_kind"].items():
        lines.append(f"| {kind} | {v['hidden']} | {v['details']} | {v['recall']:.1%} |")
    lines.append(f"| **all** | {result['details'] - len(result['misses'])} | {result['details']} | "
                 f"**{result['recall']:.1%}** |")
    return "\n".join(lines)
