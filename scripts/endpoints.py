"""Write the endpoints file Rasa reads: endpoints.yml less the optional blocks whose ${VARIABLES} are
not all set. One file serves both modes: without MBC_REDIS_URL there is no lock_store block and Rasa
keeps its in-memory lock (one server, nothing to install); with it, every Rasa server shares the
Redis lock. Values stay ${...} placeholders that Rasa fills in from the environment.
`python -m scripts.endpoints OUT` prints what is on."""
import sys
from pathlib import Path

from scripts.credentials import enabled

ROOT = Path(__file__).resolve().parent.parent
OPTIONAL = {"lock_store"}


def render(text: str, environ=None) -> str:
    kept = []
    for name, lines, missing in enabled(text, *([environ] if environ is not None else [])):
        if missing and name not in OPTIONAL:
            raise SystemExit(f"endpoints.yml: {name} needs {', '.join(missing)}")
        if missing:
            print(f"{name}: off (set {', '.join(missing)})")
            continue
        kept.extend(lines)
        print(f"{name}: on")
    return "\n".join(kept) + "\n"


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var" / "endpoints.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render((ROOT / "endpoints.yml").read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
