"""Publish the library to the running assistant: check the content files, load them into the content
store, train a model on them, and put it where the model server hands it out.

Every Rasa server started with a `models:` endpoint (scale-out mode: nginx serves MBC_PUBLISH_DIR, see
deploy/nginx.conf.template) asks for the model every MBC_MODEL_PULL_SECONDS with the ETag of the one it
has, and loads a new one when it gets it: Rasa's own model-server mechanism, no restart, conversations
kept in the tracker store carry on. The order matters: the content store first (the action servers read
it, so a retired answer stops at once), then the model (a new model never names an answer the store does
not have yet). The model is written beside its final name and renamed into place, so the model server
never hands out half a file.

Usage: python -m editorial.publish (`make publish`); the staff app's editors publish through publish().
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import settings
from content.files import ContentError, content_dir, load_content
from content.load import sync
from content.store import create_schema, get_engine
from understanding.spacy_pipeline import load_pipeline

ROOT = settings.ROOT
RASA = Path(sys.executable).parent / "rasa"
MODEL_NAME = "mbc.tar.gz"


@dataclass
class Published:
    model: Path
    answers: int
    approved: int
    store: dict
    seconds: float


def publish_dir() -> Path:
    return Path(settings.get("MBC_PUBLISH_DIR"))


def train(out: Path, env: dict, extra_data: List[Path]) -> Path:
    """A model trained on data/ (and the given extra NLU files) with the content the env points at."""
    data = [str(ROOT / "data")] + [str(p) for p in extra_data]
    result = subprocess.run([str(RASA), "train", "--fixed-model-name", "candidate", "--out", str(out),
                             "--data", *data], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    model = out / "candidate.tar.gz"
    if result.returncode != 0 or not model.exists():
        raise RuntimeError("training failed:\n" + result.stdout[-3000:])
    return model


def publish(content_root: Optional[Path] = None, store_url: Optional[str] = None,
            target_dir: Optional[Path] = None, extra_data: List[Path] = ()) -> Published:
    """Check, load, train, hand over. Raises ContentError (nothing changed) when the content is refused."""
    started = time.monotonic()
    root = content_dir(content_root)
    content = load_content(load_pipeline(), root)  # refuses bad content before anything changes
    engine = get_engine(store_url)
    create_schema(engine)
    counts = sync(content, engine)
    target_dir = Path(target_dir or publish_dir())
    target_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MBC_CONTENT_DIR": str(root)}
    with tempfile.TemporaryDirectory(prefix=".training-", dir=target_dir) as work:
        model = train(Path(work), env, list(extra_data))
        os.replace(model, target_dir / MODEL_NAME)  # same file system: the model server sees old or new
    approved = sum(a.status == "approved" for a in content.answers.values())
    return Published(target_dir / MODEL_NAME, len(content.answers), approved, counts,
                     time.monotonic() - started)


def seed(target_dir: Optional[Path] = None, model: Path = ROOT / "models" / MODEL_NAME) -> Path:
    """The model server's first model: the one `make train` built, until something is published."""
    target = Path(target_dir or publish_dir()) / MODEL_NAME
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        shutil.copy2(model, partial)
        os.replace(partial, target)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="*", default=[], type=Path,
                        help="more NLU files to train on (e.g. the staff app's accepted examples)")
    args = parser.parse_args(argv)
    try:
        done = publish(extra_data=args.data)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"published {done.model} ({done.approved} of {done.answers} answers approved; store {done.store}) "
          f"in {done.seconds:.0f} s; Rasa servers with a models: endpoint pick it up within "
          f"{settings.get('MBC_MODEL_PULL_SECONDS')} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
