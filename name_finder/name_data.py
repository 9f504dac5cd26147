"""Training messages for the name finder (name_finder.train_names), generated the same way every time.

    >>> examples = generate(seed=0)
    >>> examples[0]
    ('my name is Zoé Dubois-Martin and ...', [(11, 28)])     # text, character spans of the names

Three sources, each deterministic (random.Random(seed), no clock, no network):
  * name_templates.txt: patients' and caregivers' messages with slots for names ("my husband {first}",
    "saw {last} yesterday", "me llamo {full}", "{title} {last} said...") and messages with no names that
    are full of capitalised words which are not names (drugs such as Ibrance, HER2, Stage IV, Monday,
    Mayo Clinic, Living Beyond Breast Cancer, placeholders such as [PHONE] left by an earlier pass);
  * names from Faker's person providers in many locales (first names and surnames, Latin script, plus
    the romanised Japanese and Chinese lists), put together as people write them: a first name alone,
    a surname alone, middle names and initials, hyphenated names, two surnames, particles (van der,
    de la), and in lower case (about one message in eight is all lower case, some names alone);
  * the project's NLU examples (data/nlu/*.yml: questions in patients' voices), as messages without
    names: an example in which the rules (privacy.redact) find a name is left out.
"""
import importlib
import random
import re
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).with_name("name_templates.txt")
NLU_DIR = ROOT / "data" / "nlu"
# Faker locales whose names are in Latin script (ja_JP and zh_CN give their romanised lists).
LOCALES = (
    "en_US en_GB en_IE en_IN en_NG en_KE en_NZ en_PK es_ES es_MX es_AR es_CO es_CL fr_FR fr_CA fr_CH pt_BR "
    "pt_PT de_DE de_AT de_CH it_IT pl_PL nl_NL sv_SE da_DK no_NO fi_FI cs_CZ sk_SK hu_HU ro_RO hr_HR sl_SI "
    "tr_TR vi_VN id_ID yo_NG ig_NG ha_NG tw_GH zu_ZA sw ga_IE lt_LT lv_LV et_EE ja_JP zh_CN").split()
# Locales drawn more often: the assistant's readers are mostly in the US, the UK and Latin America.
HEAVY = {"en_US": 6, "en_GB": 4, "es_MX": 3, "es_ES": 2, "en_IN": 2, "fr_FR": 2, "pt_BR": 2, "de_DE": 2,
         "it_IT": 2, "pl_PL": 2}
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’ .-]+$")
PARTICLES = ("van", "van der", "van den", "von", "de", "de la", "del", "da", "dos", "di", "le", "du", "al", "bin")
SLOT = re.compile(r"\{(\w+)\}")
WORD_RE = re.compile(r"[^\W\d_]+")
NAME_SLOTS = {"first", "last", "full", "name"}
Example = Tuple[str, List[Tuple[int, int]]]


def _list(value) -> List[str]:
    if isinstance(value, dict):
        return list(value.keys())
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else []


def faker_names() -> Dict[str, Tuple[List[str], List[str]]]:
    """{locale: (first names, surnames)} from Faker's person providers, Latin script only."""
    pools = {}
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        firsts, lasts = [], []
        for attr in ("first_names", "first_names_female", "first_names_male", "first_romanized_names"):
            firsts += _list(getattr(provider, attr, ()))
        for attr in ("last_names", "last_names_female", "last_names_male", "last_romanized_names"):
            lasts += _list(getattr(provider, attr, ()))
        if locale in ("ja_JP", "zh_CN"):  # their native lists are not Latin script: romanised only
            firsts = _list(getattr(provider, "first_romanized_names", ()))
            lasts = _list(getattr(provider, "last_romanized_names", ()))
        clean = lambda names: sorted({n.strip() for n in names if n.strip() and LATIN.match(n.strip())})  # noqa: E731
        firsts, lasts = clean(firsts), clean(lasts)
        if firsts and lasts:
            pools[locale] = (firsts, lasts)
    return pools


def read_templates(path: Path = TEMPLATES) -> Dict[str, List[str]]:
    sections, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif line.strip() and not line.startswith("#") and current is not None:
            current.append(line.rstrip().replace("\\n", "\n"))
    return sections


def nlu_messages(directory: Path = NLU_DIR) -> List[str]:
    """The examples of data/nlu/*.yml (sorted by file, in file order)."""
    out = []
    for path in sorted(directory.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^\s+- (.+)$", line)
            if m and not line.lstrip().startswith("- intent:"):
                out.append(m.group(1).strip())
    return out


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.pools = faker_names()
        self.locales = sorted(self.pools)
        self.weights = [HEAVY.get(loc, 1) for loc in self.locales]
        sections = read_templates()
        self.fills = {k[5:]: v for k, v in sections.items() if k.startswith("fill ")}
        self.person = [t for k, v in sections.items() if k.startswith("person") for t in v]
        self.plain = sections["plain"]

    # ---- names --------------------------------------------------------------------------------

    def _locale(self) -> str:
        return self.rng.choices(self.locales, self.weights)[0]

    def first(self, locale=None) -> str:
        return self.rng.choice(self.pools[locale or self._locale()][0])

    def last(self, locale=None) -> str:
        return self.rng.choice(self.pools[locale or self._locale()][1])

    def full(self) -> str:
        loc = self._locale()
        first, last, r = self.first(loc), self.last(loc), self.rng.random()
        if r < 0.45:
            return f"{first} {last}"
        if r < 0.55:
            middle = self.first(loc) if self.rng.random() < 0.6 else self.first(loc)[0] + "."
            return f"{first} {middle} {last}"
        if r < 0.63:
            return f"{first} {last}-{self.last(loc)}"
        if r < 0.68:
            return f"{first}-{self.first(loc)} {last}"
        if r < 0.78 or (loc[:2] in ("es", "pt") and r < 0.88):
            return f"{first} {last} {self.last(loc)}"
        if r < 0.86:
            return f"{first} {self.rng.choice(PARTICLES)} {last}"
        if r < 0.90:
            return f"{first[0]}. {last}"
        if r < 0.94:
            return f"{first} {last[0]}."
        return f"{first} {self.first(loc)} {last} {self.last(loc)}"

    def name(self) -> str:
        r = self.rng.random()
        return self.first() if r < 0.45 else self.last() if r < 0.7 else self.full()

    # ---- messages -----------------------------------------------------------------------------

    def fill(self, template: str) -> Example:
        text, spans, pos = "", [], 0
        for m in SLOT.finditer(template):
            text += template[pos:m.start()]
            slot = m.group(1)
            if slot in NAME_SLOTS:
                value = getattr(self, slot)()
                if self.rng.random() < 0.06:
                    value = value.lower()  # "my husband tom", "saw okafor"
                elif self.rng.random() < 0.02:
                    value = value.upper()
                spans.append((len(text), len(text) + len(value)))
            else:
                value = self.rng.choice(self.fills[slot])
            text += value
            pos = m.end()
        text += template[pos:]
        return text, spans

    def vary(self, example: Example) -> Example:
        """How people type: all lower case, no final full stop, an emoji, a space less."""
        text, spans = example
        r = self.rng.random()
        if r < 0.12 and len(text.lower()) == len(text):  # ("İ".lower() is two characters)
            text = text.lower()
        elif r < 0.15:
            text = text[:1].lower() + text[1:]
        if self.rng.random() < 0.1 and text.endswith((".", "!")) and (not spans or spans[-1][1] < len(text)):
            text = text[:-1]
        if self.rng.random() < 0.04:
            text += self.rng.choice([" 🙂", " 💗", " x", " xx", " :(", " lol", "??"])
        return text, spans

    def join(self, a: Example, b: Example) -> Example:
        sep = self.rng.choice([" ", ". ", "\n", ", ", " - "])
        shift = len(a[0]) + len(sep)
        return a[0] + sep + b[0], a[1] + [(s + shift, e + shift) for s, e in b[1]]


def generate(seed: int = 0, n_person: int = 12000, n_plain: int = 5000, nlu: Sequence[str] = ()) -> List[Example]:
    """Messages with names (from the person templates), without (plain templates and the given NLU
    examples), a sixth of them two messages joined; shuffled."""
    g = Generator(seed)
    out = [g.vary(g.fill(g.rng.choice(g.person))) for _ in range(n_person)]
    out += [g.vary(g.fill(g.rng.choice(g.plain))) for _ in range(n_plain)]
    out += [g.vary((text, [])) for text in nlu]
    g.rng.shuffle(out)
    joined = [g.join(out[i], out[i + 1]) for i in range(0, len(out) // 6 * 2, 2)]
    out = out[len(out) // 6 * 2:] + joined
    g.rng.shuffle(out)
    return out
