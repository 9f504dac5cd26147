"""Write the credentials file Rasa reads: credentials.yml less every channel whose ${VARIABLES} are not
all set. `python -m scripts.credentials OUT` prints the channels switched on. Values stay ${...}
placeholders: Rasa fills them in from the environment, so no secret is written to disk."""
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def blocks(text: str):
    """Top-level YAML blocks: (name, lines), comments kept with the block that follows them."""
    current, pending, out = None, [], []
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            current = [line.split(":", 1)[0], pending + [line]]
            pending = []
            out.append(current)
        elif current is None or line.startswith("#") or not line.strip():
            pending.append(line)
        else:
            current[1].append(line)
    return out


def enabled(text: str, environ=os.environ):
    for name, lines in blocks(text):
        missing = [v for v in PLACEHOLDER.findall("\n".join(lines)) if not environ.get(v)]
        yield name, lines, missing


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var" / "credentials.yml"
    kept = []
    for name, lines, missing in enabled((ROOT / "credentials.yml").read_text()):
        if missing:
            print(f"channel {name}: off (set {', '.join(missing)})")
        else:
            kept.extend(lines)
            print(f"channel {name}: on")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(kept) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
