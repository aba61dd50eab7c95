#!/usr/bin/env bash
# The Tutor plugin's tests, once per supported Tutor major (21 = Open edX Ulmo, the oldest; 22, the newest):
# `ruff check`, then pytest. The tests build the plugin's wheel and install it with the real `tutor` of that major
# into a fresh venv (never editable); the release-artifact tests (marker `packages`: both packages built, checked and
# installed) and actionlint run with the first major only. Each major's tools live in their own virtual environment
# (.venv-<major>), created when missing or when its requirement files changed (a hash stamp). Exits non-zero if any
# step fails.
# Usage: bash openedx/tutor/run-tests.sh [major ...] [-- pytest args]   (majors: 21 22; default both)
set -uo pipefail
cd "$(dirname "$0")"

majors=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do majors+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#majors[@]} -eq 0 ] && majors=(21 22)

# find_python and ensure_venv.
source ../venv.sh

# Tutor 21 and 22 both run on Python 3.11 or later.
py="$(find_python 11 0)" || { echo "== tutor: no Python 3.11+ found"; exit 1; }
status=0
once=()  # the first major runs every test; the others skip what does not depend on the Tutor major
for major in "${majors[@]}"; do
  if [ ! -f "requirements/tutor-$major.txt" ]; then
    echo "unknown Tutor major $major (see requirements/tutor-*.txt)"; status=1; continue
  fi
  echo "== tutor $major"
  if ! ensure_venv ".venv-$major" "$py" "requirements/tutor-$major.txt" requirements/test.in; then
    echo "-- tutor $major: installing the requirements failed"; status=1; continue
  fi
  ".venv-$major/bin/ruff" check --quiet . || { echo "-- tutor $major: ruff check failed"; status=1; }
  ".venv-$major/bin/python" -m pytest -p no:cacheprovider -rfE "${once[@]}" "$@" || status=1
  once=(-m "not packages")
done
exit "$status"
