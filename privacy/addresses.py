"""Whole postal addresses, not only the part the token rules in redact.py find ("12 Oak Street"): a
town, unit or postcode left beside the placeholder still says where someone lives. On the text, it
starts an address where the rules found one, at a street ("3/27 Wattle Grove Rd", "Calle Olmo 8"), at
a Canadian, Irish, Australian, Mexican or Indian postal code, or after "my address is", "send it to",
"mi dirección es"...; grows it over the address parts around it (capitalised words, numbers, codes,
"Co. Cork"; lower-case words only beside a number or code; a unit before it, "Flat 302, "); stops at a
sentence's end and at ordinary words. Names and numbers found inside an address become part of it."""
import re
from typing import List, Sequence, Tuple

Span = Tuple[int, int, str]

STREET_WORDS = (r"street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|way|"
                r"terrace|ter|circle|cir|parkway|pkwy|highway|hwy|close|crescent|cres|square|sq|trail|trl|row|"
                r"mews|gardens|grove|plaza|alley|loop|pike|walk|park|track|cross|nagar|colony|jalan|jln")
# All in lower case ("22 thornhill rd") only these count: "3 rounds of chemo way back" is no street.
PLAIN_STREET_WORDS = frozenset("street st avenue ave road rd boulevard blvd lane ln drive pkwy hwy highway parkway".split())
NOT_STREET_WORDS = frozenset("""minutes minute mins hours hour hrs days day weeks week months month years year miles
    mile km blocks block cycles cycle rounds round doses dose times steps cm mm mg kg lbs pounds kids children
    people pills tablets of the on my a and in at to from for by with""".split())
# "3/27 Wattle Grove Rd", "#302-1575 W 10th Ave", "22 thornhill rd", "4410 se division st"
STREET_RE = re.compile(
    rf"(?<![\w/#-])#?\d{{1,5}}[A-Za-z]?(?:[/-]\d{{1,5}}[A-Za-z]?)?,?\s+((?:\w[\w'’.-]*\s+){{0,3}}?)({STREET_WORDS})\b\.?",
    re.IGNORECASE)
# Street word first, number after: "Calle del Almendro 23", "calle real 45", "Rua Augusta, 1500", "Privada Los Olivos #12",
# "Jalan Ampang 12"; and a plot or purok with its number ("Plot 88", "Purok 3"), which the address then grows from
STREET_FIRST_RE = re.compile(
    r"\b(?:calle|c/|avda\.|avenida|av\.|rua|rue|viale|plaza|plaça|paseo|camino|carrer|privada|blvd\.|"
    r"boulevard|chemin|strasse|straße|ulica|ul\.|jalan|jln\.?|lorong|purok|barangay|brgy\.)\s+(?:[\w'’.-]+\s+){0,4}?#?\d{1,5}[A-Za-z]?\b"
    r"|\b(?:purok|sitio|plot)\s+\d{1,5}[A-Za-z]?\b", re.IGNORECASE)
POSTCODE_RE = re.compile(
    r"\b(?:(?!T\d[a-d]?N\d[a-c]?M\d)[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d"  # Canada: H7N 3K2 (not a stage: T2N1M1)
    r"|[AC-FHKNPRTV-Y]\d{2} ?[AC-FHKNPRTV-Y0-9]{4}"  # Ireland's Eircode: P31 XK82
    r"|(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT) \d{4}"  # Australia: NSW 2155
    r"|(?:C\.P\.|cp) ?\d{5}"  # Mexico: C.P. 76000
    r"|(?-i:[A-Z][a-z]+,? ?-? ?\d{6})"  # India: Chennai - 600020
    r"|[A-Z]{1,2}\d[A-Z\d]? (?!\d(?:st|nd|rd|th)\b)\d[ABD-HJLNP-UW-Z]{2})\b",  # UK, in any case: de22 3lx
    re.IGNORECASE)
CUE_RE = re.compile(
    r"\b(?:(?:my|our|her|his|their|the|new|home) (?:postal |home |mailing )?address(?: is|:| here is)?"
    r"|address(?: is|:)|i(?:'m| am) at|we(?:'re| are) at|(?:i|we|she|he|they) (?:live|stay|lives|stays) at"
    r"|(?:send|mail|post|courier|deliver|ship)(?: it| them| this| the \w+)? to|(?:my|our) (?:house|home|place) is"
    r"|home is|(?:i|we)(?:'ve| have)? moved to|mi (?:dirección|direccion|domicilio|casa)(?: es)?:?"
    r"|dirección:|direccion:|vivo en|mon adresse(?: est)? ?:?|meu endereço é|mio indirizzo è|meine adresse ist)\s*",
    re.IGNORECASE)
UNIT_BEFORE_RE = re.compile(
    r"(?:\b(?:unit|apt\.?|apartment|flat|suite|ste\.?|lot|door no\.?|no\.|h\.no\.?|rr ?#? ?\d+|po box \d+|"
    r"post box no\.? \d+)\s*[\w/-]*\s*[,–-]?\s*|#)$", re.IGNORECASE)
# Words that end an address: the sentence goes on in ordinary words.
STOP_WORDS = frozenset("""is are was were be been am and or but so if then because for to from with please
    thanks thank can could would should will do does did is the a an my our your their his her its this that
    these those it i we you he she they me us them as at by about near where when what who how which
    there here not no yes just only also still very too if so please pls plz thx is es y o pero para por
    con es está son mi tu su que como merci est et""".split())
CONNECTORS = frozenset("de del la las los on upon the le du des da do dos y".split())
TOKEN_RE = re.compile(r"[^\s,;:!?()]+")
SEPARATOR_RE = re.compile(r"\s*[,–-]\s*|\s+")
ABBREVIATION_RE = re.compile(r"(?:\b[A-Za-z]{1,5}\.)+$")  # "Co.", "C.P.", "Avda.", "Qro."
ABSORBED = ("NAME", "RECORD NUMBER", "PHONE")  # labels (redact.py's) an address takes over


def _addressy(word: str, near_code: bool) -> bool:
    """Could this word be part of an address? (lower-case words only beside a number or code)"""
    core = word.strip(".'’\"")
    if core and any(c.isdigit() for c in core) and len(core) <= 12:
        return True  # numbers, codes, "3º", "2ºA", "#12"
    return bool(core) and core.lower() not in STOP_WORDS and (
        core[0].isupper() or near_code and core.isalpha() and len(core) <= 15)


def _chunk_end(text: str, i: int, limit: int = 5) -> int:
    """The end of an address part starting at i (up to `limit` words), or i when none starts there."""
    words = []
    for m in TOKEN_RE.finditer(text, i):
        if text[i:m.start()].strip() or len(words) >= limit:
            break
        words.append(m)
        i = m.end()
        if m.group().endswith(".") and not ABBREVIATION_RE.fullmatch(m.group()):
            break  # "Madrid." ends a sentence; "Co." and "C.P." do not
    has_code = any(any(c.isdigit() for c in w.group()) for w in words)
    end = words[0].start() if words else i
    for w in words:
        if w.group().lower() in CONNECTORS and w is not words[0]:
            continue
        if not _addressy(w.group(), has_code):
            break
        end = w.end()
        if w.group().endswith(".") and not ABBREVIATION_RE.fullmatch(w.group()):
            end -= 1  # the sentence's full stop is not the address's
    return end


def _extend_right(text: str, end: int, parts: int = 6) -> int:
    """Over the address parts after `end`: ", Laval QC H7N 3K2", " - 88 bloor st e", ", Co. Cork"."""
    for _ in range(parts):
        if text[end - 1:end] == "." and not ABBREVIATION_RE.search(text[max(0, end - 6):end]):
            break  # the sentence ended
        m = SEPARATOR_RE.match(text, end)
        if not m:
            break
        start = m.end()
        stop = _chunk_end(text, start)
        if stop <= start:
            break
        part, following = text[start:stop], SEPARATOR_RE.match(text, stop)
        after = text[following.end():_chunk_end(text, following.end())] if following else ""
        if part[:1].islower() and not any(c.isdigit() for c in part + after):
            break  # a lower-case part ("toronto on") only with a number or code in it or right after it
        end = stop
    return end


PART_BEFORE_RE = re.compile(r"(?<![\w'’./-])((?:[A-Z0-9#][\w'’./-]*|de|del|la|on|the|upon)(?: (?:[A-Z0-9#][\w'’./-]*|de|del|la|on|the|upon)){0,3})(?:\s*[,–-]\s*|\s+)$")


def _extend_left(text: str, start: int, parts: int = 5) -> int:
    """Back over a unit written before the street ("Flat 302, ", "apt 1204 - ") and over the parts of the
    address before what was found ("Rose Cottage, Church Lane, Little Hadham, " before "Herts SG11 2DY")."""
    for _ in range(parts):
        before = text[max(0, start - 60):start]
        m = UNIT_BEFORE_RE.search(before)
        if m and m.group().strip():
            start -= len(m.group())
            continue
        m = PART_BEFORE_RE.search(before)
        words = m.group(1).split() if m else []
        if not words or any(w.strip(".") in STOP_WORDS for w in words) or words[0] in ("I", "I'm"):
            break
        start -= len(m.group())
    return start


def _sentence_stop(text: str, end: int) -> int:
    """An address ending in "St." before a new sentence leaves the full stop to the sentence."""
    return end - 1 if text[end - 1:end] == "." and re.match(r"\s+[A-Z]|\s*$", text[end:]) else end


def _street_ok(m: re.Match) -> bool:
    return not any(w.lower() in NOT_STREET_WORDS for w in m.group(1).split()) and (
        any(c.isupper() for c in m.group(0)) or m.group(2).lower() in PLAIN_STREET_WORDS)


# Between two parts of one address: a few words and commas, no sentence's end ("4 elm rd, in leeds,
# postcode LS6 2AB", "4410 se division st, portland, and zip is 97206").
GAP_RE = re.compile(r"^[^.!?\n\[\]]{1,40}$|^(?:[^.!?\n\[\]]|\.(?!\s+[A-Z])){1,40}$")
GAP_WORDS = 6


def _join_parts(text: str, spans: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    """Addresses found a few words apart in one sentence become one (the town between them goes too)."""
    out: List[List[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
            continue
        gap = text[out[-1][1]:s] if out else ""
        if out and GAP_RE.match(gap) and len(gap.split()) <= GAP_WORDS:
            out[-1][1] = max(out[-1][1], e)
            continue
        out.append([s, e])
    return [(s, e) for s, e in out]


def extend(text: str, spans: Sequence[Span], address: str) -> List[Span]:
    """The findings with each address grown to the whole address, and the addresses the token rules did
    not see; a name or number found inside an address becomes part of it."""
    seeds = [(s, e) for s, e, label in spans if label == address]
    if not seeds and "," not in text and not any(c.isdigit() for c in text):
        return list(spans)  # streets, postcodes and what follows a cue need a digit (or a comma, after a cue)
    seeds += [(m.start(), m.end()) for m in STREET_RE.finditer(text) if _street_ok(m)]
    seeds += [(m.start(), m.end()) for m in STREET_FIRST_RE.finditer(text)]
    seeds += [(m.start(), m.end()) for m in POSTCODE_RE.finditer(text)]
    for m in CUE_RE.finditer(text):
        end = _extend_right(text, _chunk_end(text, m.end()))
        if any(c.isdigit() or c == "," for c in text[m.end():end]):
            seeds.append((m.end(), end))
    grown = _join_parts(text, [(_extend_left(text, s), _sentence_stop(text, _extend_right(text, e))) for s, e in seeds])
    out = [(s, e, address) for s, e in grown]
    for s, e, label in spans:
        inside = label in ABSORBED and any(s < ge and gs < e for gs, ge in grown)
        out.append((s, e, address if inside else label))
    return out
