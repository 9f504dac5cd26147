#!/usr/bin/env bash
# `make shell`: Rasa's terminal chat, through the action server of a running `make run` (same secret,
# same endpoints file, so answers come from the same place).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source .venv/bin/activate
if [ -z "${MBC_ACTION_SECRET:-}" ] && [ ! -s "$MBC_STATE_DIR/action_secret" ]; then
  echo "Start the assistant first (make run in another terminal): the shell uses its action server."; exit 1
fi
MBC_ACTION_SECRET="${MBC_ACTION_SECRET:-$(cat "$MBC_STATE_DIR/action_secret")}"
export MBC_ACTION_SECRET
# Its own port: the Rasa server of `make run` already has MBC_RASA_PORT.
exec python -m runtime shell --model models/mbc.tar.gz --endpoints "$MBC_STATE_DIR/endpoints.yml" \
  --credentials "$MBC_STATE_DIR/credentials.yml" \
  --port "${MBC_SHELL_PORT:-$((MBC_RASA_PORT + 1))}"
