"""Turning logs into improvements: training examples chosen by staff, exported as Rasa NLU YAML, and the
questions most often not covered, grouped by similarity as candidates for new vetted content."""
import re
from collections import Counter
from typing import Dict, List, Optional

import sqlalchemy as sa
import yaml

from review.auth import now
from review.schema import examples, messages

OUT_OF_SCOPE = "out_of_scope"
UNCOVERED_OUTCOMES = ("not_covered", "fallback")


def clean_example(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()[:500]


def add_example(conn, text: str, target: str, by: str, event_id: Optional[int] = None) -> bool:
    """Record an accepted example; False if it was already there (same text and target)."""
    text = clean_example(text)
    if not text:
        raise ValueError("An example needs some text")
    exists = conn.execute(sa.select(examples.c.id).where(examples.c.text == text, examples.c.target == target)).first()
    if exists:
        return False
    conn.execute(examples.insert().values(text=text, target=target, by=by, at=now(), event_id=event_id))
    return True


def intent_name(target: str) -> str:
    # Answers are the faq retrieval intent's sub-intents (data/nlu/faq.yml).
    return OUT_OF_SCOPE if target == OUT_OF_SCOPE else f"faq/{target}"


def nlu_yaml(conn) -> str:
    """The accepted examples as a Rasa 3 NLU training file, ready to merge into data/nlu/."""
    by_intent: Dict[str, List[str]] = {}
    for row in conn.execute(sa.select(examples).order_by(examples.c.target, examples.c.id)):
        by_intent.setdefault(intent_name(row.target), []).append(row.text)
    nlu = [{"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
           for intent, texts in sorted(by_intent.items())]
    header = "# Training examples accepted by staff in the review app (texts redacted of personal data).\n"
    return header + yaml.dump({"version": "3.1", "nlu": nlu}, Dumper=_LiteralDumper, sort_keys=False,
                              allow_unicode=True, width=1000)


class _LiteralDumper(yaml.SafeDumper):
    pass


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str)


def uncovered_groups(conn, nlp, since, limit: int = 3000, threshold: float = 0.5) -> List[Dict]:
    """Recent not-covered questions grouped by shared lemmas (spaCy), biggest group first."""
    rows = conn.execute(sa.select(messages.c.text).where(
        messages.c.outcome.in_(UNCOVERED_OUTCOMES), messages.c.is_button.is_(False), messages.c.at >= since)
        .order_by(messages.c.at.desc()).limit(limit)).all()
    texts = Counter(r.text for r in rows if r.text.strip())
    groups: List[Dict] = []
    for doc, text in zip(nlp.pipe(list(texts)), texts):
        keys = {t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and len(t) > 2}
        if not keys:
            continue
        best = max(groups, key=lambda g: _jaccard(keys, g["keys"]), default=None)
        if best is not None and _jaccard(keys, best["keys"]) >= threshold:
            best["questions"].append((text, texts[text]))
            best["count"] += texts[text]
        else:
            groups.append({"keys": keys, "questions": [(text, texts[text])], "count": texts[text]})
    for group in groups:
        group["questions"].sort(key=lambda q: -q[1])
        group["label"] = group["questions"][0][0]
    return sorted(groups, key=lambda g: -g["count"])


def _jaccard(a, b) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
