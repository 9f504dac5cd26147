"""The project's spaCy pipeline: blank English, a lookup lemmatizer and a rule-based sentencizer.

spaCy's trained English pipelines are not on PyPI, so the pipeline is built from spaCy's own
packages (spacy + spacy-lookups-data) and saved under models/, where Rasa and the content checks
load it. Nothing is downloaded at run time: the lookup tables are stored inside the saved pipeline.
"""
import sys
from functools import lru_cache
from pathlib import Path

import spacy

from settings import spacy_model_dir


def build_pipeline() -> "spacy.language.Language":
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # copies the lookup tables from spacy-lookups-data into the pipeline
    nlp.meta.update(name="mbc_en", version="1.0.0",
                    description="Blank English + sentencizer + lookup lemmatizer (built by understanding.spacy_pipeline)")
    return nlp


def save_pipeline(path: Path = None) -> Path:
    path = path or spacy_model_dir()
    path.parent.mkdir(parents=True, exist_ok=True)
    build_pipeline().to_disk(path)
    return path


@lru_cache(maxsize=1)
def load_pipeline():
    if not (spacy_model_dir() / "config.cfg").exists():
        raise FileNotFoundError(
            f"spaCy pipeline missing at {spacy_model_dir()}: build it with `make spacy` "
            "(python -m understanding.spacy_pipeline).")
    return spacy.load(spacy_model_dir())


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else spacy_model_dir()
    print(f"Building spaCy pipeline into {save_pipeline(target)}")
