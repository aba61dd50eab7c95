#!/usr/bin/env bash
# The Tutor plugin's tests, once per supported Tutor major (21 = Open edX Ulmo, the oldest; 22, the newest):
# `ruff check`, then pytest with the real `tutor` from PyPI and the plugin installed editable. Each major gets its own
# virtual environment (.venv-<major>), created when missing or when its requirement files changed (a hash stamp).
# Exits non-zero if any step fails.
# Usage: bash openedx/tutor/run-tests.sh [major ...] [-- pytest args]   (majors: 21 22; default both)
set -uo pipefail
cd "$(dirname "$0")"

majors=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do majors+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#majors[@]} -eq 0 ] && majors=(21 22)

# Python 3.11 or later (Tutor 21 and 22 both run on it), from PATH or pyenv's installs.
find_python() {
  local candidates=(python3.11 python3.12 python3.13 python3) c
  if command -v pyenv >/dev/null 2>&1; then
    for c in "$(pyenv root)"/versions/3.*/bin/python3; do candidates+=("$c"); done
  fi
  for c in "${candidates[@]}"; do
    if "$c" -c "import sys, venv; sys.exit(sys.version_info < (3, 11))" >/dev/null 2>&1; then
      command -v "$c" 2>/dev/null || echo "$c"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  local major="$1" py="$2" venv=".venv-$1" stamp
  stamp="$( (cat "requirements/tutor-$major.txt" requirements/test.in pyproject.toml; "$py" --version 2>&1) | sha256sum | cut -c1-16)"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  echo "-- tutor $major: creating $venv with $("$py" --version 2>&1) (requirements/tutor-$major.txt)"
  rm -rf "$venv"
  "$py" -m venv "$venv" || return 1
  local log="$venv/install.log"
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check -c "requirements/tutor-$major.txt" \
    -r requirements/test.in -e . > "$log" 2>&1; then
    grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -30
    return 1
  fi
  echo "$stamp" > "$venv/.stamp"
}

py="$(find_python)" || { echo "== tutor: no Python 3.11+ found"; exit 1; }
status=0
for major in "${majors[@]}"; do
  if [ ! -f "requirements/tutor-$major.txt" ]; then
    echo "unknown Tutor major $major (see requirements/tutor-*.txt)"; status=1; continue
  fi
  echo "== tutor $major"
  if ! ensure_venv "$major" "$py"; then
    echo "-- tutor $major: installing the requirements failed"; status=1; continue
  fi
  ".venv-$major/bin/ruff" check --quiet . || { echo "-- tutor $major: ruff check failed"; status=1; }
  ".venv-$major/bin/python" -m pytest -p no:cacheprovider -rfE "$@" || status=1
done
exit "$status"
