"""Write the credentials file the servers of `make run` read: the root credentials.yml (the channels
that need no secret) and each messaging platform of channels/platforms.yml whose ${VARIABLES} are all
set. Values stay ${...} placeholders: Rasa fills them in from the environment, so no secret is
written to disk. `python -m scripts.credentials OUT` prints the channels switched on."""
import re
import sys
from pathlib import Path

import settings

ROOT = settings.ROOT
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


def enabled(text: str):
    """(name, lines, variables not set) for each top-level block."""
    for name, lines in blocks(text):
        missing = [v for v in PLACEHOLDER.findall("\n".join(lines)) if not settings.get(v)]
        yield name, lines, missing


def render() -> str:
    kept = [(ROOT / "credentials.yml").read_text().rstrip("\n")]
    for name, lines, missing in enabled((ROOT / "channels" / "platforms.yml").read_text()):
        if missing:
            print(f"channel {name}: off (set {', '.join(missing)})")
        else:
            kept.append("\n".join(lines))
            print(f"channel {name}: on")
    return "\n".join(kept) + "\n"


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else settings.state_dir() / "credentials.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
