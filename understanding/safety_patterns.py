"""Reviewed safety patterns (data/safety/patterns.yml) matched with spaCy, independent of any classifier.

`SafetyPatterns.detect(text)` returns the first category that matches, checked in the order crisis,
emergency (a message can be both; a crisis line is the more specific help), with the reason.
"""
import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import yaml
from spacy.matcher import PhraseMatcher

from settings import ROOT

PATTERNS_FILE = ROOT / "data" / "safety" / "patterns.yml"
ORDER = ("crisis", "emergency")


@dataclass(frozen=True)
class SafetyMatch:
    category: str      # "crisis" or "emergency"
    rule: str          # "phrase" or the name of a co-occurrence rule, e.g. "fever_on_treatment"
    matched: str       # the words that matched, for staff reviewing the log


class SafetyPatterns:
    def __init__(self, nlp, path: Path = PATTERNS_FILE):
        spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.rules = []  # (category, rule name, [set of words per group])
        for category in ORDER:
            section = spec.get(category) or {}
            phrases = section.get("phrases") or []
            self.matcher.add(category, [nlp.make_doc(p.lower()) for p in phrases])
            for name, rule in section.items():
                if isinstance(rule, dict) and "all_of" in rule:
                    groups = [[self._term(w) for w in group] for group in rule["all_of"]]
                    self.rules.append((category, name, groups))

    def _term(self, word):
        """A phrase in spaCy's tokens (so "can't" matches however it is split), or a regular
        expression over single tokens when written "re:<pattern>"."""
        word = str(word).lower()
        if word.startswith("re:"):
            return re.compile(word[3:])
        return " ".join(t.lower_ for t in self.nlp.make_doc(word))

    def detect(self, text: str) -> Optional[SafetyMatch]:
        # Straight apostrophes, so "can’t breathe" typed on a phone matches "can't breathe".
        doc = self.nlp.make_doc(text.replace("\u2019", "'").replace("\u2018", "'"))
        found = {}
        for match_id, start, end in self.matcher(doc):
            category = self.nlp.vocab.strings[match_id]
            if category == "crisis" and _negated(doc, start, end):
                continue  # "I don't want to die before my kids grow up" is fear, not a wish
            found.setdefault(category, SafetyMatch(category, "phrase", doc[start:end].text))
        tokens = [t.lower_ for t in doc]
        lowered = " " + " ".join(tokens) + " "
        for category, name, groups in self.rules:
            hits = [next(filter(None, (_found(w, lowered, tokens) for w in group)), None) for group in groups]
            if all(hits) and category not in found:
                found[category] = SafetyMatch(category, name, " + ".join(hits))
        return next((found[c] for c in ORDER if c in found), None)


NEGATIONS = {"not", "n't", "never", "dont", "don't", "no", "doesnt", "doesn't", "didnt", "didn't"}


def _negated(doc, start: int, end: int) -> bool:
    """A crisis phrase right after a negation ("don't" + "want to die"), unless the phrase carries its
    own ("don't want to live" is itself a crisis phrase and matches from its first word)."""
    phrase = {t.lower_ for t in doc[start:end]}
    return not phrase & NEGATIONS and any(t.lower_ in NEGATIONS for t in doc[max(0, start - 2):start])


def _found(term, lowered: str, tokens: List[str]) -> Optional[str]:
    """The words of the message that match a term, or None."""
    if isinstance(term, str):
        return term if f" {term} " in lowered else None
    return next((t for t in tokens if term.match(t)), None)
