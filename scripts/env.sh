# Defaults for every setting; any of them can be set in the environment instead. Sourced by the scripts.
export MBC_STATE_DIR="${MBC_STATE_DIR:-$PWD/var}"
mkdir -p "$MBC_STATE_DIR"
export MBC_RASA_PORT="${MBC_RASA_PORT:-5005}"
export MBC_ACTION_PORT="${MBC_ACTION_PORT:-5055}"
export MBC_ACTION_URL="${MBC_ACTION_URL:-http://127.0.0.1:${MBC_ACTION_PORT}/webhook}"
export MBC_TRACKER_DB_URL="${MBC_TRACKER_DB_URL:-sqlite:///${MBC_STATE_DIR}/tracker.db}"
export MBC_CONTENT_DB_URL="${MBC_CONTENT_DB_URL:-sqlite:///${MBC_STATE_DIR}/content.db}"
export MBC_WEB_PORT="${MBC_WEB_PORT:-8080}"
# The staff review app (review/): its port, its own tables, and how long conversations are kept.
export MBC_REVIEW_PORT="${MBC_REVIEW_PORT:-8090}"
export MBC_REVIEW_DB_URL="${MBC_REVIEW_DB_URL:-sqlite:///${MBC_STATE_DIR}/review.db}"
export MBC_RETENTION_DAYS="${MBC_RETENTION_DAYS:-365}"
# Browser origins allowed to call the Rasa server (REST CORS and socket.io): never "*" by default.
export MBC_WEB_ORIGINS="${MBC_WEB_ORIGINS:-http://localhost:${MBC_WEB_PORT} http://127.0.0.1:${MBC_WEB_PORT}}"
export MBC_CORS_ORIGINS="${MBC_CORS_ORIGINS:-$MBC_WEB_ORIGINS}"
# Quieter logs: TensorFlow's start-up chatter and SQLAlchemy 2.0 migration notices say nothing to users.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
# Rasa's telemetry and its error reports to an outside service stay off: conversations are sensitive.
export RASA_TELEMETRY_ENABLED=false
