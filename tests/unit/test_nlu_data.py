"""Training data rules: enough varied examples per answer, a held-out set that never leaks into training,
and retrieval intents that match the vetted content one to one."""
import json
import re

import yaml

import settings

ROOT = settings.ROOT
MIN_TRAINING_EXAMPLES = 25
MIN_HELDOUT = 8


def normalise(text):
    return re.sub(r"[^a-z0-9 ]", "", re.sub(r"\s+", " ", text.lower())).strip()


def training_examples():
    examples = {}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                lines = [l[2:].strip() for l in block["examples"].splitlines() if l.strip().startswith("- ")]
                examples.setdefault(block["intent"], []).extend(lines)
    return examples


def heldout():
    return [json.loads(l) for l in (ROOT / "tests" / "heldout" / "faq_heldout.jsonl").read_text().splitlines()
            if l.strip()]


def test_every_answer_has_a_retrieval_intent_with_enough_examples(content):
    examples = training_examples()
    for answer_id in content.answers:
        lines = examples.get(f"faq/{answer_id}", [])
        assert len(set(map(normalise, lines))) >= MIN_TRAINING_EXAMPLES, answer_id
    unknown = {k for k in examples if k.startswith("faq/") and k[4:] not in content.answers}
    assert not unknown, f"training intents without a vetted answer: {unknown}"


def test_domain_has_one_retrieval_response_per_answer(content):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    keys = {k[len("utter_faq/"):] for k in domain["responses"] if k.startswith("utter_faq/")}
    assert keys == set(content.answers)


def test_heldout_has_enough_unseen_phrasings_per_answer(content):
    items = heldout()
    for answer_id in content.answers:
        assert sum(i["answer"] == answer_id for i in items) >= MIN_HELDOUT, answer_id


def test_heldout_never_appears_in_training():
    seen = {normalise(line) for lines in training_examples().values() for line in lines}
    leaked = [i["text"] for i in heldout() if normalise(i["text"]) in seen]
    assert not leaked, leaked


def test_no_example_is_trained_under_two_intents():
    owner = {}
    clashes = []
    for intent, lines in training_examples().items():
        for line in set(map(normalise, lines)):
            if line in owner and owner[line] != intent:
                clashes.append((line, owner[line], intent))
            owner[line] = intent
    assert not clashes, clashes[:5]
