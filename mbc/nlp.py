"""The project's spaCy pipeline: blank English, a lookup lemmatizer and a rule-based sentencizer.

spaCy's trained English pipelines are not on PyPI, so the pipeline is built from spaCy's own
packages (spacy + spacy-lookups-data) and saved under models/, where Rasa and the content checks
load it. Nothing is downloaded at run time: the lookup tables are stored inside the saved pipeline.
"""
from functools import lru_cache
from pathlib import Path
import sys

import spacy

from mbc.settings import SPACY_MODEL_DIR


def build_pipeline() -> "spacy.language.Language":
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # copies the lookup tables from spacy-lookups-data into the pipeline
    nlp.meta.update(name="mbc_en", version="1.0.0",
                    description="Blank English + sentencizer + lookup lemmatizer (built by mbc.nlp)")
    return nlp


def save_pipeline(path: Path = SPACY_MODEL_DIR) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_pipeline().to_disk(path)
    return path


@lru_cache(maxsize=1)
def load_pipeline():
    if not (SPACY_MODEL_DIR / "config.cfg").exists():
        raise FileNotFoundError(
            f"spaCy pipeline missing at {SPACY_MODEL_DIR}: build it with `make spacy` "
            "(python -m mbc.nlp).")
    return spacy.load(SPACY_MODEL_DIR)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SPACY_MODEL_DIR
    print(f"Building spaCy pipeline into {save_pipeline(target)}")
