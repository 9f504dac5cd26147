"""Read the vetted content in data/content/ and prove it is fit to serve.

Articles: data/content/articles/<id>.yml (provenance) beside the text exactly as supplied.
Answers:  data/content/answers/*.yml, each answer whole sentences or list items of its article.
`load_content` refuses bad content with every problem listed: it is the gate before the store.
"""
import datetime as dt
import re
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from content.article import ParsedArticle, parse_article, split_answer
import settings

STATUSES = ("draft", "approved", "retired")
ANSWER_ID = re.compile(r"^[a-z0-9_]+$")
ARTICLE_FIELDS = ("id", "title", "publisher", "breadcrumb", "canonical_url", "url_confirmed",
                  "retrieved_on", "text_file", "sections")


class ContentError(ValueError):
    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("content refused:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class Article:
    meta: dict
    text: str
    parsed: ParsedArticle

    @property
    def id(self) -> str:
        return self.meta["id"]


@dataclass
class Answer:
    id: str
    article_id: str
    section_id: str
    title: str
    text: str
    status: str
    vetted_by: str
    vetted_on: dt.date
    unit_indices: List[int] = field(default_factory=list)
    source_file: str = ""


@dataclass
class Content:
    articles: Dict[str, Article]
    answers: Dict[str, Answer]
    not_answered: List[dict]


def _read_yaml(path: Path, problems: List[str]):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        problems.append(f"{path.name}: not valid YAML ({exc})")
        return {}


def _read_articles(nlp, folder: Path, problems: List[str]) -> Dict[str, Article]:
    articles = {}
    for meta_path in sorted(folder.glob("*.yml")):
        meta = _read_yaml(meta_path, problems)
        missing = [f for f in ARTICLE_FIELDS if f not in meta]
        if missing:
            problems.append(f"{meta_path.name}: missing fields {', '.join(missing)}")
            continue
        text_path = folder / meta["text_file"]
        if not text_path.exists():
            problems.append(f"{meta_path.name}: text file {meta['text_file']} not found")
            continue
        if meta.get("text_sha256") and hashlib.sha256(text_path.read_bytes()).hexdigest() != meta["text_sha256"]:
            problems.append(f"{meta_path.name}: {meta['text_file']} is not the text that was vetted (text_sha256 differs)")
            continue
        text = text_path.read_text(encoding="utf-8")
        try:
            parsed = parse_article(nlp, text, meta["sections"])
        except ValueError as exc:
            problems.append(f"{meta_path.name}: {exc}")
            continue
        squash = lambda s: re.sub(r"\s*>\s*", " > ", s).strip()
        if squash(parsed.breadcrumb) != squash(meta["breadcrumb"]):
            problems.append(f"{meta_path.name}: breadcrumb differs from the article's first line")
        if parsed.title != meta["title"]:
            problems.append(f"{meta_path.name}: title differs from the article's title line")
        articles[meta["id"]] = Article(meta, text, parsed)
    return articles


def _locate(units, wanted, start, where, problems) -> List[int]:
    """Indices of `wanted` (kind, text) units in the article, each after the one before."""
    found, after = [], start
    for kind, text in wanted:
        match = next((u.index for u in units if u.index > after and u.kind == kind and u.text == text), None)
        if match is None:
            anywhere = any(u.kind == kind and u.text == text for u in units)
            problems.append(f"{where}: {'out of article order' if anywhere else 'not found verbatim in its article'}"
                            f" ({kind}): {text[:80]!r}")
            return []
        found.append(match)
        after = match
    return found


def _read_answers(nlp, folder: Path, articles: Dict[str, Article], problems: List[str]):
    answers: Dict[str, Answer] = {}
    not_answered: List[dict] = []
    for path in sorted(folder.glob("*.yml")):
        doc = _read_yaml(path, problems)
        article = articles.get(doc.get("article"))
        if article is None:
            problems.append(f"{path.name}: unknown article {doc.get('article')!r}")
            continue
        section_ids = {s["id"] for s in article.meta["sections"]}
        for raw in doc.get("answers") or []:
            where = f"{path.name}: answer {raw.get('id')!r}"
            vetting = raw.get("vetting") or {}
            if not ANSWER_ID.match(str(raw.get("id", ""))):
                problems.append(f"{where}: id must be lower-case letters, digits and _")
                continue
            if raw["id"] in answers:
                problems.append(f"{where}: duplicate id (also in {answers[raw['id']].source_file})")
                continue
            if not str(raw.get("title", "")).strip() or not str(raw.get("text", "")).strip():
                problems.append(f"{where}: needs a title and a text")
                continue
            same_title = next((a for a in answers.values() if a.status != "retired" and vetting.get("status") != "retired"
                               and a.title.casefold() == str(raw["title"]).strip().casefold()), None)
            if same_title is not None:  # "Did you mean" buttons and staff pages show titles: one each
                problems.append(f"{where}: title {raw['title']!r} is already answer {same_title.id!r}'s "
                                f"(in {same_title.source_file})")
                continue
            if raw.get("section") not in section_ids:
                problems.append(f"{where}: unknown section {raw.get('section')!r}")
                continue
            if vetting.get("status") not in STATUSES:
                problems.append(f"{where}: vetting status must be one of {', '.join(STATUSES)}")
                continue
            if vetting["status"] == "approved" and not (vetting.get("vetted_by") and vetting.get("vetted_on")):
                problems.append(f"{where}: an approved answer needs vetting.vetted_by and vetting.vetted_on")
                continue
            indices = _locate(article.parsed.units, split_answer(nlp, raw["text"]), -1, where, problems)
            if not indices:
                continue
            outside = [i for i in indices if article.parsed.units[i].section_id != raw["section"]]
            if outside:
                problems.append(f"{where}: quotes text outside its section {raw['section']!r}")
                continue
            answers[raw["id"]] = Answer(
                id=raw["id"], article_id=article.id, section_id=raw["section"], title=raw["title"].strip(),
                text=raw["text"].strip(), status=vetting["status"], vetted_by=vetting.get("vetted_by", ""),
                vetted_on=vetting.get("vetted_on"), unit_indices=indices, source_file=path.name)
        for item in doc.get("not_answered") or []:
            where = f"{path.name}: not_answered"
            if not str(item.get("reason", "")).strip():
                problems.append(f"{where}: {str(item.get('text'))[:60]!r} needs a reason")
                continue
            indices = _locate(article.parsed.units, split_answer(nlp, item.get("text", "")), -1, where, problems)
            not_answered.extend({"article_id": article.id, "unit": i, "text": article.parsed.units[i].text,
                                 "reason": item["reason"].strip()} for i in indices)
    return answers, not_answered


def uncovered_units(content: Content) -> List[tuple]:
    """Body units of each article that no live answer serves and no not_answered entry explains."""
    covered = {(a.article_id, i) for a in content.answers.values() if a.status != "retired"
               for i in a.unit_indices}
    covered |= {(n["article_id"], n["unit"]) for n in content.not_answered}
    return [(art.id, u) for art in content.articles.values() for u in art.parsed.units
            if (art.id, u.index) not in covered]


def content_dir(root: Optional[Path] = None) -> Path:
    return Path(root or settings.get("MBC_CONTENT_DIR"))


def join_content(target: Path, *sources: Path) -> Path:
    """One content folder holding the articles and answers of several (a library assembled from parts)."""
    for part in ("articles", "answers"):
        (target / part).mkdir(parents=True, exist_ok=True)
        for source in sources:
            for path in (source / part).iterdir():
                (target / part / path.name).write_bytes(path.read_bytes())
    return target


def content_fingerprint(root: Optional[Path] = None) -> str:
    """SHA-256 over every content file's path and bytes: what a model trained on this content was built
    from (Rasa retrains a component whose fingerprint_addon returns a new value)."""
    root = content_dir(root)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_content(nlp, root: Optional[Path] = None) -> Content:
    root = content_dir(root)
    problems: List[str] = []
    articles = _read_articles(nlp, root / "articles", problems)
    answers, not_answered = _read_answers(nlp, root / "answers", articles, problems)
    content = Content(articles, answers, not_answered)
    if not problems:
        problems += [f"{aid}: body {u.kind} #{u.index} is neither answered nor listed in not_answered: "
                     f"{u.text[:70]!r}" for aid, u in uncovered_units(content)]
    if problems:
        raise ContentError(problems)
    return content
