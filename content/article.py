"""Split a source article into the units an answer may quote: whole sentences and list items.

The text file is the article exactly as supplied: a breadcrumb line, the title, then blocks separated
by blank lines. A block is a section heading, a list (lines starting with a bullet) or prose, which
spaCy's sentencizer cuts into sentences.
"""
import re
from dataclasses import dataclass
from typing import List

BULLET = "•"


@dataclass(frozen=True)
class Unit:
    index: int        # position in the article body, 0-based
    kind: str         # "sentence" or "item"
    text: str         # verbatim, list items without their bullet
    section_id: str


@dataclass
class ParsedArticle:
    breadcrumb: str
    title: str
    units: List[Unit]


class ArticleFormatError(ValueError):
    pass


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def split_prose(nlp, text: str) -> List[str]:
    return [s.text.strip() for s in nlp(normalise_space(text)).sents if s.text.strip()]


def split_answer(nlp, text: str) -> List[tuple]:
    """An answer's text as (kind, text) units: one list item per bullet line, prose cut into sentences."""
    units = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith(BULLET):
            units.append(("item", line[len(BULLET):].strip()))
        else:
            units.extend(("sentence", s) for s in split_prose(nlp, line))
    return units


def blocks(lines: List[str]) -> List[List[str]]:
    out, current = [], []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def parse_article(nlp, text: str, sections: List[dict]) -> ParsedArticle:
    """Parse the article; `sections` (from its metadata) say where each section starts."""
    lines = text.splitlines()
    head = [l for l in lines[:4] if l.strip()]
    if len(head) < 2:
        raise ArticleFormatError("article must start with a breadcrumb line and a title line")
    breadcrumb, title = normalise_space(head[0]), normalise_space(head[1])
    title_at = next(i for i, l in enumerate(lines) if normalise_space(l) == title)
    body = blocks(lines[title_at + 1:])

    units: List[Unit] = []
    pending = list(sections)
    section_id = None
    for block in body:
        first = block[0].strip()
        if pending and first.startswith(pending[0]["starts_with"]):
            section = pending.pop(0)
            section_id = section["id"]
            if section.get("heading"):
                continue
        if section_id is None:
            raise ArticleFormatError(f"text before the first section: {first[:60]!r}")
        if all(l.strip().startswith(BULLET) for l in block):
            for line in block:
                units.append(Unit(len(units), "item", line.strip()[len(BULLET):].strip(), section_id))
        else:
            for sentence in split_prose(nlp, " ".join(block)):
                units.append(Unit(len(units), "sentence", sentence, section_id))
    if pending:
        raise ArticleFormatError(
            "sections not found in the article text: " + ", ".join(s["id"] for s in pending))
    return ParsedArticle(breadcrumb, title, units)
