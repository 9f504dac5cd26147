"""An article as the editor supplies it (plain text, or the HTML of the publisher's page) turned into the
documented content files: the article text and its metadata, and one draft passage per paragraph or
list, grouped under the section headings, for the editor to vet (editorial/drafts.py).

HTML becomes text through inscriptis (headings, paragraphs and lists kept as blocks); the page's own
h1-h6 elements say which blocks are headings. In plain text, blocks are separated by blank lines, and
a heading is a block of one short line that does not end like a sentence. Sentences are cut by the
project's spaCy pipeline, exactly as the content checks cut them (content/article.py).
"""
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import List, Optional, Set

import lxml.html
from inscriptis import get_text

from content.article import BULLET, blocks, normalise_space, split_prose

LIST_ITEM = re.compile(r"^\s*(?:[*•\-–]|\d+[.)])\s+")
HEADING_MAX_WORDS = 14
SLUG = re.compile(r"[^a-z0-9]+")


class ImportError_(ValueError):
    """The supplied article cannot be imported (said in words an editor can act on)."""


@dataclass
class Supplied:
    title: str
    publisher: str
    canonical_url: str
    retrieved_on: dt.date
    body: str                      # blocks separated by blank lines
    headings: Optional[Set[str]]   # known heading texts (from HTML), or None: guess them
    breadcrumb: str = ""


def slug(text: str, limit: int = 80) -> str:
    return SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-") or "article"


def html_body(html: str) -> (str, Set[str]):
    """The page as blocks of text, and the texts of its headings."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ImportError_(f"The HTML could not be read: {exc}")
    # The article, not the page around it: its <article> or <main> when it has one, never navigation,
    # headers, footers, asides, forms or scripts.
    for element in list(tree.iter("nav", "header", "footer", "aside", "form", "script", "style", "noscript")):
        element.drop_tree()
    main = next(iter(tree.iter("article")), None) or next(iter(tree.iter("main")), None)
    root = main if main is not None else tree
    headings = {normalise_space(h.text_content()) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")}
    return get_text(lxml.html.tostring(root, encoding="unicode")), {h for h in headings if h}


def clean_blocks(text: str) -> List[List[str]]:
    """Blocks of lines; list items rewritten with the content format's bullet."""
    out = []
    for block in blocks(text.replace("\r\n", "\n").splitlines()):
        lines = [l.strip() for l in block if l.strip()]
        if lines and all(LIST_ITEM.match(l) for l in lines):
            out.append([f"{BULLET} {LIST_ITEM.sub('', l).strip()}" for l in lines])
        elif lines:
            out.append([normalise_space(" ".join(lines))])
    return out


def is_heading(block: List[str], headings: Optional[Set[str]]) -> bool:
    text = block[0]
    if len(block) != 1 or text.startswith(BULLET):
        return False
    if headings is not None:
        return text in headings
    return len(text.split()) <= HEADING_MAX_WORDS and not text.endswith((".", "!", ":", ";", ",", "?", "\""))


def build(supplied: Supplied, nlp, existing_titles: Set[str]):
    """(article id, article metadata, article text, answers document) for the content folder."""
    title = normalise_space(supplied.title)
    if not title or not supplied.publisher.strip() or not supplied.canonical_url.startswith(("https://", "http://")):
        raise ImportError_("An article needs a title, a publisher and its page's address (https://...)")
    body = [b for b in clean_blocks(supplied.body) if normalise_space(b[0]) != title]
    if not body:
        raise ImportError_("No text found to import")
    article_id = slug(title)
    breadcrumb = normalise_space(supplied.breadcrumb) or f"{normalise_space(supplied.publisher)} > {title}"
    sections, answers, section = [], [], None
    for block in body:
        heading = is_heading(block, supplied.headings)
        if heading or section is None:
            name = block[0] if heading else "Introduction"
            section = {"id": _unique(slug(name, 60), {s["id"] for s in sections}), "title": name,
                       "starts_with": block[0][:60], "heading": heading}
            sections.append(section)
            if heading:
                continue
        if block[0].startswith(BULLET):
            text = "\n".join(block)
        else:
            text = " ".join(split_prose(nlp, block[0]))
        number = len(answers) + 1
        answers.append({"id": f"{article_id.replace('-', '_')[:60]}_{number}",
                        "title": _unique(f"Passage {number} of “{title}” (untitled)", existing_titles),
                        "section": section["id"], "text": text,
                        "vetting": {"status": "draft", "vetted_by": "", "vetted_on": None}})
    article_text = "\n\n".join([breadcrumb, title] + ["\n".join(b) for b in body]) + "\n"
    meta = {"id": article_id, "title": title, "publisher": normalise_space(supplied.publisher),
            "breadcrumb": breadcrumb, "canonical_url": supplied.canonical_url.strip(), "url_confirmed": True,
            "retrieved_on": supplied.retrieved_on, "text_file": f"{article_id}.txt",
            "text_sha256": hashlib.sha256(article_text.encode("utf-8")).hexdigest(),
            "sections": [{k: s[k] for k in ("id", "title", "starts_with", "heading")} for s in sections]}
    return article_id, meta, article_text, {"article": article_id, "answers": answers, "not_answered": []}


def _unique(name: str, taken: Set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken or candidate.casefold() in {t.casefold() for t in taken}:
        candidate, n = f"{name}-{n}", n + 1
    return candidate
