"""The statistical name finder beside the rules: the NER pipeline name_finder.train_names builds into
models/spacy/names (`make names`). Redaction needs it: without it, loading fails with NamesModelMissing
instead of quietly leaving names that only the model would find.

    >>> finder = NameFinder.load()
    >>> finder.spans("I saw Okafor yesterday")
    [(6, 12)]

What the model marks goes through a few checks before it is redacted. A span is kept when one of
its words is a *candidate*: not an ordinary word (stop words, the medical and everyday words of
privacy.redact, the drugs, tests, organisations, days and months of name_templates.txt) and either
  * capitalised, and a name in Faker's lists or no common English word (the 50,000 most frequent
    words of symspellpy's English dictionary): "Okafor", "Grace", not "Brutal" or "Houston";
  * or in lower case, four letters or more, a name in Faker's lists and none of the 15,000 most
    frequent English words: "magdalena", not "hope";
    a span in lower case must be made of names only;
and nothing of it lies inside a placeholder ([NAME], [PHONE]...). Beside the model, a capitalised word
that is a name in Faker's lists and none of the 15,000 most frequent English words is a name wherever
it stands ("Wilhelmina", "Okonkwo"; in 3,515 NLU examples this marks four words, three of them names). Words in capitals of four letters
or fewer ("MRN", "DOB") are no candidates. The same test decides whether the model runs at all: a
message with no candidate word cannot give a name that would be kept, so the model is skipped (most
second passes, many medical messages): this saves time and changes nothing.

The name lists and the dictionary's words are stored beside the model (lexicon.json, written by
name_finder.train_names), so redaction needs neither Faker nor symspellpy's file at run time.
"""
import json
import re
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

import spacy

from name_finder.name_data import read_templates
from name_finder.word_case import WordCase

ROOT = Path(__file__).resolve().parent.parent
NAMES_DIR = ROOT / "models" / "spacy" / "names"
LEXICON = "lexicon.json"
WINDOW = 8  # tokens read either side of a candidate word in a long message
LOWER_CASE_COMMON = 15_000  # a lower-case name must not be one of the 15,000 most frequent English words
LABEL = "NAME"
PARTICLES = frozenset("van von de der den da di del della la le du dos das al bin y e".split())
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# A word as the case rules read it: letters joined by hyphens, up to an apostrophe ("Sal's" -> "Sal").
CASE_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# What opens a sentence before a word (spaces aside): the text's start, . ! ? : ; a line break, an
# opening quote or bracket.
SENTENCE_OPENERS = frozenset('.!?:;"“(\n')
# Names of diseases, scores and surgeries named after people ("Parkinson's", "Gleason score", "Lynch
# syndrome"): medical words where the case rules would take them for surnames.
EPONYMS = frozenset("""addison alzheimer barrett bell cushing crohn ewing gehrig gleason graves hashimoto hodgkin
    huntington kaposi lynch mohs paget parkinson raynaud sjogren sjögren tourette wilms covid""".split())


class NamesModelMissing(FileNotFoundError):
    """The name finder has not been built: redaction refuses to run without it."""


def never_names(names: frozenset = frozenset()) -> frozenset:
    """Lower-case words from the template file's drugs, tests, organisations, days and months, and the
    words of its messages without names ("Bonjour", "Imodium") that are no name in Faker's lists."""
    sections = read_templates()
    words = set()
    for kind in ("drug", "term", "org", "day", "month"):
        for entry in sections.get(f"fill {kind}", []):
            words.update(w.lower() for w in WORD_RE.findall(entry) if len(w) > 1)
    for template in sections.get("plain", []):
        words.update(w.lower() for w in WORD_RE.findall(re.sub(r"\{\w+\}", " ", template))
                     if w.lower() not in names)
    return frozenset(words)


class NameFinder:
    def __init__(self, nlp, lexicon: dict, ordinary: Callable[[str], bool] = lambda word: False):
        self.nlp = nlp
        self.ordinary = ordinary  # a word that is never a name by itself (lower case in)
        self.names = frozenset(lexicon["names"])  # Faker's first names and surnames, lower case
        self.first_names = frozenset(lexicon.get("first_names", ()))  # Faker's first names, lower case
        self.never = never_names(self.names)
        self._candidates = {}  # word -> candidate(word): a cache (plain dict reads and writes are thread-safe)
        self._by_case = {}  # (word, sentence start) -> by_case(...): a cache, as _candidates
        self.words = frozenset(lexicon["words"])  # common English words, lower case, most frequent first
        self.very_common = frozenset(lexicon["words"][:LOWER_CASE_COMMON])
        self.case = WordCase(lexicon, self.names)
        # "dont", "hes", "thats": contractions typed without their apostrophe are no names
        self.contractions = frozenset(k.lower().replace("'", "") for k in nlp.tokenizer.rules if "'" in k)

    @classmethod
    def load(cls, path: Optional[Path] = None, ordinary: Callable[[str], bool] = lambda word: False):
        path = Path(path or NAMES_DIR)
        if not (path / "config.cfg").exists():
            raise NamesModelMissing(
                f"The name finder used by redaction is missing at {path}: build it with `make names` "
                "(python -m name_finder.train_names, about 2-3 minutes). Redaction will not run without it.")
        lexicon = json.loads((path / LEXICON).read_text(encoding="utf-8"))
        return cls(spacy.load(path), lexicon, ordinary)

    def candidate(self, word: str) -> bool:
        """A word that can make a name the model marks worth keeping (see the module's docstring)."""
        known = self._candidates.get(word)
        if known is None:
            known = self._candidates[word] = self._candidate(word)
            if len(self._candidates) > 100_000:
                self._candidates.clear()
        return known

    def _candidate(self, word: str) -> bool:
        low = word.lower()
        if len(word) < 2 or low in self.never or low in EPONYMS or self.ordinary(word) or (word.isupper() and len(word) <= 4):
            return False
        if word.islower():
            return len(word) > 3 and low in self.names and low not in self.very_common and low not in PARTICLES
        if not word[0].isupper():
            return False  # scripts without capitals (Hebrew, Arabic, Chinese...) are left as written
        return low in self.names or low not in self.words

    def worth_running(self, text: str) -> bool:
        return any(self.candidate(w) for w in WORD_RE.findall(text))

    def pieces(self, text: str, covered: Sequence[Tuple[int, int]] = ()) -> List[Tuple[int, str]]:
        """What the model reads: (offset, text) pieces. Nothing when no word is a candidate; the whole
        message when it is short; else the stretches of WINDOW tokens either side of each candidate
        word (what the model marks elsewhere would be dropped anyway, and it looks only a few tokens
        around a word): a long message costs about what a short one does. Words in `covered` (what the
        rules already redact) do not count."""
        def free(s, e):
            return not any(s < ce and cs < e for cs, ce in covered)
        if not any(self.candidate(m.group()) and free(m.start(), m.end()) for m in WORD_RE.finditer(text)):
            return []
        doc = self.nlp.make_doc(text)
        if len(doc) <= 2 * WINDOW + 8:
            return [(0, text)]
        hits = [t.i for t in doc if free(t.idx, t.idx + len(t.text))
                and any(self.candidate(w) for w in WORD_RE.findall(t.text))]
        stretches = []
        for i in hits:
            a, b = max(0, i - WINDOW), min(len(doc), i + WINDOW + 1)
            if stretches and a <= stretches[-1][1]:
                stretches[-1][1] = max(stretches[-1][1], b)
            else:
                stretches.append([a, b])
        return [(doc[a].idx, text[doc[a].idx:doc[b - 1].idx + len(doc[b - 1].text)]) for a, b in stretches]

    def listed(self, text: str) -> List[Tuple[int, int]]:
        """Words that are names wherever they stand, cue or none, what the model may miss: capitalised
        names in Faker's lists that are none of the 15,000 most frequent English words ("Wilhelmina",
        "Okonkwo"), and the words name_finder.word_case reads as people's names from how they are
        written ("Xiaoling translates", "with Oksana", "k so brandon took", "KATHLEEN")."""
        out = []
        for m in CASE_WORD_RE.finditer(text):
            word = m.group()
            if any(self._listed_word(part) for part in word.split("-")) \
                    or self.by_case(word, _opens_sentence(text, m.start())):
                out.append((m.start(), m.end()))
        return out

    def _listed_word(self, word: str) -> bool:
        return (word[:1].isupper() and word[1:].islower() and word.lower() in self.names
                and word.lower() not in self.very_common and self.candidate(word) and not self.case.place(word))

    def by_case(self, word: str, sentence_start: bool) -> bool:
        """A name by how people write the word (name_finder.word_case); for a hyphenated word, each part
        is no ordinary word and one of them is such a name ("Smith-Okafor", not "T-score")."""
        key = (word, sentence_start)
        known = self._by_case.get(key)
        if known is None:
            known = self._by_case[key] = self._read_case(word, sentence_start)
            if len(self._by_case) > 100_000:
                self._by_case.clear()
        return known

    def _read_case(self, word: str, sentence_start: bool) -> bool:
        parts = word.split("-")
        if len(parts) > 1:
            return (all(len(p) > 1 and not self._ordinary_word(p) for p in parts)
                    and any(self.by_case(p, sentence_start) for p in parts if len(p) > 2))
        low = word.lower()
        if len(word) < 3 or self._ordinary_word(word):
            return False
        if word.islower():
            return self.case.lower_case_name(low)
        if word.isupper():  # "KATHLEEN", not "FOLFOX" or "NIPT": known proper nouns only
            return len(word) > 4 and low in self.case.proper_nouns and self.case.proper(word, sentence_start)
        if not (word[0].isupper() and word[1:].islower()):
            return False  # "McAllister", "iPhone": left to the model and the rules
        if low not in self.case.proper_nouns and low in self.words:
            return False  # a common word the corpus has no capitalised use of
        return self.case.proper(word, sentence_start)

    def _ordinary_word(self, word: str) -> bool:
        low = word.lower()
        return (low in self.never or low in EPONYMS or low in self.contractions or low in PARTICLES
                or (low.endswith("s") and low[:-1] in self.never)  # "Tuesdays", "Christmases"
                or self.ordinary(word))

    def spans(self, text: str, held: Iterable[Tuple[int, int]] = (), memo: Optional[dict] = None,
              covered: Sequence[Tuple[int, int]] = ()) -> List[Tuple[int, int]]:
        """`memo`: pieces already read in this redaction (its second pass finds the stretches of a long
        message far from what the first pass replaced unchanged, and does not read them again)."""
        held, memo = list(held), {} if memo is None else memo
        out = [(s + offset, e + offset) for offset, piece in self.pieces(text, covered)
               for s, e in self._read(piece, memo)]
        out += self.listed(text)
        return [(s, e) for s, e in out if not any(s < he and hs < e for hs, he in held)]

    def spans_many(self, texts: List[str], batch_size: int = 64, held: Optional[List[List[Tuple[int, int]]]] = None,
                   covered: Optional[List[List[Tuple[int, int]]]] = None) -> List[List[Tuple[int, int]]]:
        covered = covered or [[] for _ in texts]
        jobs = [(i, offset, piece) for i, text in enumerate(texts) for offset, piece in self.pieces(text, covered[i])]
        out = [[] for _ in texts]
        for (i, offset, _), doc in zip(jobs, self.nlp.pipe([piece for _, _, piece in jobs], batch_size=batch_size)):
            out[i] += [(s + offset, e + offset) for s, e in self._keep(doc)]
        for i, text in enumerate(texts):
            out[i] += self.listed(text)
            if held and held[i]:
                out[i] = [(s, e) for s, e in out[i] if not any(s < he and hs < e for hs, he in held[i])]
        return out

    def _read(self, piece: str, memo: dict) -> List[Tuple[int, int]]:
        if piece not in memo:
            memo[piece] = self._keep(self.nlp(piece))
        return memo[piece]

    def _keep(self, doc, held: Iterable[Tuple[int, int]] = ()) -> List[Tuple[int, int]]:
        held = list(held)
        out = []
        for ent in doc.ents:
            if ent.label_ != LABEL:
                continue
            s, e = ent.start_char, ent.end_char
            if any(s < he and hs < e for hs, he in held) or "[" in ent.text or "]" in ent.text:
                continue
            words = WORD_RE.findall(ent.text)
            if not any(self.candidate(w) for w in words):
                continue
            if ent.text.islower() and not all(w in self.names or w in PARTICLES for w in words):
                continue  # "numero di cellulare", "brutal": lower-case names are names only
            if not ent.text.islower() and any(w.islower() and w not in PARTICLES for w in words):
                continue  # "Puedo entrar", "Welche Unterlagen braucht": a capitalised name has no lower-case word
            out.append((s, e))
        return out


def _opens_sentence(text: str, start: int) -> bool:
    """The word at `start` opens a sentence: the text's start, or only spaces before it back to one of
    SENTENCE_OPENERS. (It looks back over the spaces only, so a long message costs no more per word.)"""
    k = start - 1
    while k >= 0 and text[k].isspace():
        if text[k] == "\n":
            return True
        k -= 1
    return start == 0 if k < 0 else text[k] in SENTENCE_OPENERS
