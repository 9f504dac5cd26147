"""Birth dates the token rules in redact.py leave whole or in part: after a birth word in the common
languages ("b. 12.06.1978", "urodziłam się 14 lipca 1970", "mi fecha de nacimiento es el 7 de
noviembre de 1962"), a year written in words ("3rd of April nineteen sixty-one") and a date given in
two pieces ("born in 1964 on the 2nd of March"). Works on the text; other dates stay (staff need "my
scan on March 3")."""
import re
from typing import List, Sequence, Tuple

Span = Tuple[int, int, str]

MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
          r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
          r"janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|"
          r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
          r"januar|februar|märz|juni|juli|oktober|dezember|"
          r"stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|wrzesnia|października|"
          r"pazdziernika|listopada|grudnia|"
          r"janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|"
          r"pebrero|marso|hunyo|hulyo|setyembre|oktubre|nobyembre|disyembre")  # Filipino
UNITS = r"one|two|three|four|five|six|seven|eight|nine"
TENS = r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
YEAR_IN_WORDS = rf"(?:nineteen|twenty)(?: hundred)?(?: and)?[ -](?:(?:{TENS})(?:[ -](?:{UNITS}))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|o[ -](?:{UNITS}))"
YEAR = rf"(?:\d{{4}}|'?\d{{2}}|{YEAR_IN_WORDS})"
DAY = r"\d{1,2}(?:st|nd|rd|th|º|\.)?"
DATE = (rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}"  # 12.06.1978, 1958-07-14
        rf"|(?:the )?{DAY}(?: of| de| d')? (?:{MONTHS})\.?(?:,? (?:de |of )?{YEAR})?"  # 7 de noviembre de 1962
        rf"|(?:{MONTHS})\.? {DAY},? {YEAR}"  # April 3rd, 1961
        rf"|(?:\d{{4}}|{YEAR_IN_WORDS}),? on (?:the )?{DAY}(?: of)? (?:{MONTHS}))")  # 1964 on the 2nd of March
# A birth year alone stays ("born in 1972, diagnosed at 48"): an age, which staff may need.
CUE = (r"(?:\bborn(?: on| in)?|(?:^|(?<=[.;:,(] ))(?-i:b\.)|\bd\.?o\.?b\.?|\bdate of birth|\bbirth ?(?:date|day)"
       r"|\bfecha de nacimiento|\bnac[ií](?:da|do)? (?:el|en)|\bnaci[oó] (?:el|en)|\bnée?(?: le| en)?"
       r"|\bdate de naissance|\bnat[ao] il|\bdata di nascita|\bgeboren(?: am| im)?|\bgeburtsdatum|\bgeb\."
       r"|\burodzi(?:ł|l)(?:a|e)?m si(?:ę|e)|\burodzon[ay]|\bur\.|\bdata urodzenia|\bdata de nascimento"
       r"|\bnasci(?: em| a)?|\bnasceu(?: em| a)?"
       r"|\bipinanganak(?: ako| siya)?(?: noong| sa)?|\bkapanganakan|\btanggal lahir|\btarikh lahir"
       r"|생년월일|出生日期|生年月日)")
# The cue, a few linking words, the date: "dob is", "fecha de nacimiento es el", "né le".
CUE_DATE_RE = re.compile(rf"{CUE}(?:\s*[:\-–]?\s*(?:is|was|es|est|ist|è|é|el|le|am|on|in|the)\b){{0,3}}\s*[:\-–]?\s*({DATE})\b",
                         re.IGNORECASE)
# A whole date with its year, anywhere in the rest of the sentence after a birth word: "date of birth to
# release my meds, it's 9 December 1967", "birthday is 1 Farvardin 1345 in the Persian calendar, so 21
# March 1966". Only a year up to LATEST_BIRTH_YEAR: "born in 1970, diagnosed on 3 March 2019" keeps its
# diagnosis date.
FULL_DATE_RE = re.compile(rf"\b(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?P<y1>\d{{4}}|\d{{2}})|(?P<y2>\d{{4}})-\d{{1,2}}-\d{{1,2}}"
                          rf"|{DAY}(?: of| de)? (?:{MONTHS})\.?,? (?:de |of )?(?P<y3>\d{{4}})"
                          rf"|(?:{MONTHS})\.? {DAY},? (?P<y4>\d{{4}}))\b", re.IGNORECASE)
CUE_RE = re.compile(CUE, re.IGNORECASE)
SENTENCE_END_RE = re.compile(r"[.!?](?=\s+[A-Z]|\s*$)|\n")
LATEST_BIRTH_YEAR = 2010
SENTENCE_REACH = 100  # characters after the birth word

# After a birth date found: more of it ("... on the 2nd of March", "... nineteen sixty one", "..., 1961").
MORE_RE = re.compile(rf"(?:,? (?:on )?(?:the )?{DAY}(?: of| de)? (?:{MONTHS})\b|,? (?:{YEAR_IN_WORDS}|\d{{4}})\b)",
                     re.IGNORECASE)


def extend(text: str, spans: Sequence[Span], birth: str) -> List[Span]:
    """The findings with each birth date made whole, and the birth dates the token rules missed."""
    found = [(s, e) for s, e, label in spans if label == birth]
    if not found and not any(c.isdigit() for c in text):
        return list(spans)  # every date these expressions read has a digit
    found += [(m.start(1), m.end(1)) for m in CUE_DATE_RE.finditer(text) if _not_a_count(m.group(1))]
    found += _later_in_sentence(text)
    grown = []
    for s, e in found:
        more = MORE_RE.match(text, e)
        grown.append((s, more.end() if more else e))
    return [(s, e, birth) for s, e in grown] + [span for span in spans if span[2] != birth]


def _not_a_count(date: str) -> bool:
    """A bare two-digit number after "born" is no date ("born 2 weeks early" has no year)."""
    return not re.fullmatch(r"'?\d{1,2}", date.strip())


def _later_in_sentence(text: str) -> List[Tuple[int, int]]:
    """Whole dates of a birth year later in the sentence of a birth word (FULL_DATE_RE)."""
    out = []
    if not any(c.isdigit() for c in text):
        return out  # every FULL_DATE_RE date has digits: no scan for birth words
    for cue in CUE_RE.finditer(text):
        window = text[cue.end():cue.end() + SENTENCE_REACH]
        end = SENTENCE_END_RE.search(window)
        window = window[:end.start()] if end else window
        for m in FULL_DATE_RE.finditer(window):
            year = next(y for y in m.group("y1", "y2", "y3", "y4") if y)
            year = int(year) if len(year) == 4 else 1900 + int(year) if int(year) > 30 else 2000 + int(year)
            if 1900 <= year <= LATEST_BIRTH_YEAR:
                out.append((cue.end() + m.start(), cue.end() + m.end()))
    return out
