"""Sentence embeddings from static token embeddings: the mean of a text's token vectors, unit length.

The default model is WordLlama's 256-dimension "l2_supercat" (token embeddings distilled from Llama 2
models), its weights and tokenizer taken from the `wordllama` wheel by `make wordllama`
(scripts/wordllama.py). Any other pair of files of the same kind can be named in config.yml (the
answer finder's `embedding_weights` and `embedding_tokenizer`): a safetensors file holding one
(vocabulary x dimensions) matrix, and a Hugging Face `tokenizers` JSON file for the same vocabulary.
"""
from functools import lru_cache
from pathlib import Path
from typing import List, Text

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

import settings


class TokenEmbeddings:
    def __init__(self, weights: Path, tokenizer: Path) -> None:
        for path in (weights, tokenizer):
            if not path.exists():
                raise FileNotFoundError(f"{path} is missing: `make wordllama` puts the default model there")
        matrices = list(load_file(str(weights)).values())
        if len(matrices) != 1 or matrices[0].ndim != 2:
            raise ValueError(f"{weights}: expected one (vocabulary x dimensions) matrix")
        self.matrix = matrices[0].astype(np.float32)
        self.tokenizer = Tokenizer.from_file(str(tokenizer))

    @property
    def dimensions(self) -> int:
        return self.matrix.shape[1]

    def embed(self, texts: List[Text]) -> np.ndarray:
        """(len(texts) x dimensions), each row unit length (zero for a text with no tokens)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            ids = np.clip(np.asarray(encoding.ids, dtype=np.int64), 0, len(self.matrix) - 1)
            if len(ids):
                mean = self.matrix[ids].mean(axis=0)
                norm = np.linalg.norm(mean)
                out[row] = mean / norm if norm else mean
        return out


@lru_cache(maxsize=4)
def load(weights: Text, tokenizer: Text) -> TokenEmbeddings:
    """The model, once per process; relative paths are from the project root."""
    resolve = lambda p: Path(p) if Path(p).is_absolute() else settings.ROOT / p
    return TokenEmbeddings(resolve(weights), resolve(tokenizer))
