"""The secret the Rasa servers send to the action server (Authorization: Bearer ...), which refuses
calls without it (rasa_sdk_plugins/action_secret.py). A new one is made at every start and kept in
$MBC_STATE_DIR/action_secret, readable by its owner only: never in the repo, never in a config file.
`python -m scripts.action_secret FILE` writes a new secret to FILE and prints it."""
import os
import secrets
import sys
from pathlib import Path


def new_secret(path: Path) -> str:
    value = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    os.chmod(path, 0o600)  # the file may have existed with wider rights
    return value


if __name__ == "__main__":
    print(new_secret(Path(sys.argv[1])))
