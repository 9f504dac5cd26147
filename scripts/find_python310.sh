#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 does not run on 3.11+), or explain how to get one.
set -u
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  prefix=$(pyenv prefix 3.10 2>/dev/null || true)
  [ -z "$prefix" ] && prefix=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | tail -n1 | xargs -r pyenv prefix 2>/dev/null || true)
  [ -n "$prefix" ] && candidates+=("$prefix/bin/python3")
fi
for py in "${candidates[@]}"; do
  if [ -x "$py" ] && "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$py"; exit 0
  fi
done
cat >&2 <<'MSG'
Python 3.10 is required (Rasa 3.6 does not support 3.11 or newer) and none was found.
Install it, then run the command again:
  - with pyenv:  pyenv install 3.10.13
  - on Debian/Ubuntu: apt-get install python3.10 python3.10-venv  (where the release packages it)
  - or point to one: PYTHON310=/path/to/python3.10 make run
MSG
exit 1
