# Every setting's value, defaults filled in by settings.py (the one place that knows them), exported
# for the scripts and the servers they start. Sourced by the Makefile's commands and the scripts.
_settings_python=.venv/bin/python
[ -x "$_settings_python" ] || _settings_python=python3
eval "$("$_settings_python" -m settings export)"
unset _settings_python
mkdir -p "$MBC_STATE_DIR"
# Quieter logs: TensorFlow's start-up chatter and SQLAlchemy 2.0 migration notices say nothing to users.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
# Rasa's telemetry and its error reports to an outside service stay off: conversations are sensitive.
export RASA_TELEMETRY_ENABLED=false
