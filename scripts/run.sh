#!/usr/bin/env bash
# Start the action server, the Rasa server (REST + socket.io), the widget page and the staff review app; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source .venv/bin/activate
model=models/mbc.tar.gz

# A new secret at every start: the action server answers only requests carrying it (the Rasa server's).
MBC_ACTION_SECRET="${MBC_ACTION_SECRET:-$(python -m scripts.action_secret "$MBC_STATE_DIR/action_secret")}"
export MBC_ACTION_SECRET
python -m scripts.credentials "$MBC_STATE_DIR/credentials.yml"
python -m scripts.endpoints "$MBC_STATE_DIR/endpoints.yml"

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

echo "==> action server on 127.0.0.1:${MBC_ACTION_PORT}"
SANIC_HOST="${MBC_ACTION_HOST:-127.0.0.1}" rasa run actions --actions actions --port "$MBC_ACTION_PORT" &
pids+=($!)

echo "==> Rasa server on http://localhost:${MBC_RASA_PORT} (HTTP API off: only the channels are served)"
# No --enable-api: Rasa's HTTP API can read and rewrite conversations, so it stays closed.
# `python -m runtime` is `rasa` with runtime/patches.py applied (the kind reply when actions fail, and speed).
python -m runtime run --model "$model" --endpoints "$MBC_STATE_DIR/endpoints.yml" --credentials "$MBC_STATE_DIR/credentials.yml" \
  --port "$MBC_RASA_PORT" --interface "${MBC_RASA_HOST:-127.0.0.1}" --cors $MBC_CORS_ORIGINS &
pids+=($!)

echo "==> chat widget page on http://localhost:${MBC_WEB_PORT}/"
python -m web.server &
pids+=($!)

echo "==> staff review app on http://localhost:${MBC_REVIEW_PORT}/ (staff accounts: make staff-user NAME=...)"
python -m review serve &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:${MBC_RASA_PORT}/" >/dev/null 2>&1; then break; fi
  sleep 1
done
cat <<MSG

The assistant is up. Open http://localhost:${MBC_WEB_PORT}/ for the chat widget, or ask over REST:
  curl -s -XPOST http://localhost:${MBC_RASA_PORT}/webhooks/rest/webhook \\
       -H 'Content-Type: application/json' -d '{"sender": "me", "message": "what is stable disease"}'
Conversations are kept by the SQL tracker store (MBC_TRACKER_DB_URL); staff read them redacted in the
review app on http://localhost:${MBC_REVIEW_PORT}/ (make staff-user NAME=alex ROLE=admin first). Ctrl-C stops all.
MSG
wait -n "${pids[@]}"
