"""Put the WordLlama embedding model into models/wordllama: its weights and tokenizer, the two files of
the `wordllama` wheel the answer finder needs (understanding/embeddings.py).

The wheel comes from PyPI, pinned by version and SHA-256 (a build-time download by pip, never at run
time). It is not installed: its own package asks for numpy 2, and Rasa pins numpy 1.23; the two files
load with safetensors and tokenizers alone. Licence: the package's code is MIT; the weights derive
from Llama 2's token embeddings (Llama 2 Community License), see docs/models.md.
Usage: python -m scripts.wordllama [TARGET_DIR]"""
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import settings

WHEEL = "wordllama==0.4.0.post1"
WHEEL_SHA256 = "684abaaedeecfc841658715e119e8b222b9a39eccf74b0f747f50e7976a22280"
FILES = {"wordllama/weights/l2_supercat_256.safetensors": "l2_supercat_256.safetensors",
         "wordllama/tokenizers/l2_supercat_tokenizer_config.json": "l2_supercat_tokenizer_config.json"}


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else settings.ROOT / "models" / "wordllama"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--python-version", "3.10", "--platform", "manylinux2014_x86_64", WHEEL, "-d", tmp],
                       check=True)
        wheel = next(Path(tmp).glob("wordllama-*.whl"))
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            sys.exit(f"{wheel.name}: SHA-256 {digest}, expected {WHEEL_SHA256}: not using it")
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            for inside, name in FILES.items():
                (target / name).write_bytes(archive.read(inside))
    print(f"WordLlama weights and tokenizer in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
