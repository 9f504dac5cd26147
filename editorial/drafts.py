"""The editor's changes to the content folder (MBC_CONTENT_DIR), the one source of truth: an imported
article, and each vetting step on its passages (title, approve, merge, split, leave out, retire).

Every change is tried on a copy of the whole folder and checked with the same checks as `make content`
(content/files.py: verbatim, in order, every sentence answered or left out with a reason, titles
unique); only a change that passes replaces the files, each renamed into place. Nothing is served until
it is approved and published (editorial/publish.py), which also records each vetting change in the
content store's history; the staff app's audit log records who changed what.
"""
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional

import yaml

from content.article import split_answer
from content.files import ContentError, content_dir, load_content
from editorial.importing import Supplied, build


class EditError(ValueError):
    """A change the content checks refuse, or that makes no sense; the message says why."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v,
                                                             style="|" if "\n" in v else None))


def _dump(doc) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _checked(root: Path, nlp, files: Dict[str, str]) -> None:
    """Write `files` (relative path -> text) into root only if the content with them passes the checks."""
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "content"
        shutil.copytree(root, trial)
        for relative, text in files.items():
            (trial / relative).parent.mkdir(parents=True, exist_ok=True)
            (trial / relative).write_text(text, encoding="utf-8")
        try:
            load_content(nlp, trial)
        except ContentError as exc:
            raise EditError("; ".join(exc.problems))
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        _write(root / relative, text)


def import_article(nlp, supplied: Supplied, root: Optional[Path] = None) -> str:
    """Write a new article and its draft passages; its id."""
    root = content_dir(root)
    current = load_content(nlp, root)
    titles = {a.title for a in current.answers.values() if a.status != "retired"}
    article_id, meta, text, answers = build(supplied, nlp, titles)
    if article_id in current.articles or (root / "answers" / f"{article_id}.yml").exists():
        raise EditError(f"An article called {meta['title']!r} is already in the library")
    _checked(root, nlp, {f"articles/{article_id}.txt": text, f"articles/{article_id}.yml": _dump(meta),
                         f"answers/{article_id}.yml": _dump(answers)})
    return article_id


def answers_file(root: Path, article_id: str) -> Path:
    path = root / "answers" / f"{article_id}.yml"
    if not path.exists():
        raise EditError("No such article")
    return path


def edit(nlp, article_id: str, change: Callable[[dict], None], root: Optional[Path] = None) -> None:
    """Apply `change` to the article's answers document, if the result passes the content checks."""
    root = content_dir(root)
    path = answers_file(root, article_id)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc.setdefault("not_answered", [])
    change(doc)
    _checked(root, nlp, {f"answers/{path.name}": _dump(doc)})


def _find(doc: dict, answer_id: str) -> int:
    for i, answer in enumerate(doc["answers"]):
        if answer["id"] == answer_id:
            return i
    raise EditError("No such passage")


def set_title(doc: dict, answer_id: str, title: str) -> None:
    title = " ".join(title.split())
    if not 3 <= len(title) <= 200:
        raise EditError("A title is 3 to 200 characters, best a question a reader would ask")
    answer = doc["answers"][_find(doc, answer_id)]
    if answer["vetting"]["status"] == "approved":
        raise EditError("Approved passages keep their title: retire it, or edit the files")
    answer["title"] = title


def approve(doc: dict, answer_id: str, by: str, on: dt.date) -> None:
    answer = doc["answers"][_find(doc, answer_id)]
    if answer["title"].endswith("(untitled)"):
        raise EditError("Give the passage a question-style title before approving it")
    answer["vetting"] = {"status": "approved", "vetted_by": by, "vetted_on": on}


def retire(doc: dict, answer_id: str, by: str, on: dt.date) -> None:
    answer = doc["answers"][_find(doc, answer_id)]
    answer["vetting"] = {"status": "retired", "vetted_by": by, "vetted_on": on}


def _draft(answer: dict) -> dict:
    if answer["vetting"]["status"] != "draft":
        raise EditError("Only draft passages can be merged, split or left out")
    return answer


def merge_with_next(doc: dict, answer_id: str) -> None:
    i = _find(doc, answer_id)
    if i + 1 >= len(doc["answers"]):
        raise EditError("This is the article's last passage")
    first, second = _draft(doc["answers"][i]), _draft(doc["answers"][i + 1])
    if first["section"] != second["section"]:
        raise EditError("Passages of different sections cannot be merged")
    first["text"] = f"{first['text']}\n{second['text']}"
    del doc["answers"][i + 1]


def split(nlp, doc: dict, answer_id: str, after: int) -> None:
    """Cut a draft passage after its `after`-th unit (sentence or list item, counted from 1)."""
    i = _find(doc, answer_id)
    answer = _draft(doc["answers"][i])
    units = split_answer(nlp, answer["text"])
    if not 1 <= after < len(units):
        raise EditError(f"Choose where to split: after sentence 1 to {len(units) - 1}")
    lines = _as_lines(units)
    answer["text"] = "\n".join(lines[:after])
    rest = dict(answer, id=_new_id(doc, answer["id"]), title=f"{answer['title'].removesuffix(' (untitled)')} (part 2) (untitled)",
                text="\n".join(lines[after:]), vetting={"status": "draft", "vetted_by": "", "vetted_on": None})
    doc["answers"].insert(i + 1, rest)


def leave_out(nlp, doc: dict, answer_id: str, reason: str) -> None:
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise EditError("Say why the passage is left out")
    i = _find(doc, answer_id)
    answer = _draft(doc["answers"][i])
    doc["not_answered"].append({"text": answer["text"], "reason": reason[:500]})
    del doc["answers"][i]


def _as_lines(units: List[tuple]) -> List[str]:
    return [f"• {text}" if kind == "item" else text for kind, text in units]


def _new_id(doc: dict, base: str) -> str:
    taken, n = {a["id"] for a in doc["answers"]}, 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"
