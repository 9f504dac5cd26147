"""Write the endpoints file the servers of `make run` read: the root endpoints.yml with the settings
in place of its plain-Rasa values. The action endpoint gets MBC_ACTION_URL and the action server's
per-start secret, the tracker store MBC_TRACKER_DB_URL, and when MBC_REDIS_URL is set every Rasa
server shares a Redis lock store (without it Rasa keeps its in-memory lock: one server, nothing to
install); when MBC_MODEL_URL is set (scale-out) every Rasa server pulls its model from Rasa's model
server there, every MBC_MODEL_PULL_SECONDS, and loads a newly published one (editorial/publish.py). Values are ${...} placeholders that Rasa fills in from the environment, so no secret is
written to disk. `python -m scripts.endpoints OUT` prints what is on."""
import sys
from pathlib import Path

import yaml

import settings


def render() -> str:
    endpoints = yaml.safe_load((settings.ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"].update(url="${MBC_ACTION_URL}",
                                        headers={"Authorization": "Bearer ${MBC_ACTION_SECRET}"})
    endpoints["tracker_store"]["url"] = "${MBC_TRACKER_DB_URL}"
    if settings.get("MBC_REDIS_URL"):
        endpoints["lock_store"] = {"type": "runtime.lock_store.UrlRedisLockStore", "url": "${MBC_REDIS_URL}"}
    if settings.get("MBC_MODEL_URL"):
        endpoints["models"] = {"url": settings.get("MBC_MODEL_URL"),
                               "wait_time_between_pulls": settings.get_int("MBC_MODEL_PULL_SECONDS")}
    print(f"lock_store: {'Redis' if 'lock_store' in endpoints else 'in memory (set MBC_REDIS_URL to share it)'}")
    return yaml.safe_dump(endpoints, sort_keys=False)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else settings.state_dir() / "endpoints.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
