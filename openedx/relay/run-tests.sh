#!/usr/bin/env bash
# The relay's tests, once per supported Open edX release: `ruff check`, then pytest against the real libraries and
# the real service. Each release gets its own virtual environment (.venv-<release>), created from PyPI when missing
# or when its requirement files changed (a hash stamp inside the venv). Exits non-zero if any step fails.
# Usage: bash openedx/relay/run-tests.sh [release ...] [-- pytest args]   (releases: ulmo latest; default both)
set -uo pipefail
cd "$(dirname "$0")"

releases=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do releases+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#releases[@]} -eq 0 ] && releases=(ulmo latest)

# find_python and ensure_venv.
source ../venv.sh

# The venv of one release, made sequentially (editable installs of the same source must not race).
prepare_release() {
  local release="$1" py
  case "$release" in
    ulmo) py="$(find_python 11 1)" ;;   # Ulmo runs on Python 3.11
    latest) py="$(find_python 12 0)" ;; # openedx-events 11 needs Python 3.12+
    *) echo "== relay $release: unknown release (ulmo, latest)"; return 1 ;;
  esac
  if [ -z "$py" ]; then
    echo "== relay $release: no suitable Python found"; return 1
  fi
  ensure_venv ".venv-$release" "$py" "requirements/$release.txt" requirements/base.in ||
    { echo "== relay $release: installing the requirements failed"; return 1; }
}

# ruff and pytest of one release; its exit status says whether both passed.
test_release() {
  local release="$1" rc=0
  shift
  echo "== relay $release"
  ".venv-$release/bin/ruff" check --quiet . || { echo "-- $release: ruff check failed"; rc=1; }
  # A Celery queue of this run only (the Celery test deletes nothing else).
  RELAY_TEST_QUEUE="openedx-webhooks-relay-tests-$release-$$" \
    ".venv-$release/bin/python" -m pytest -p no:cacheprovider -rfE "$@" || rc=1
  return "$rc"
}

status=0
ready=()
for release in "${releases[@]}"; do
  if prepare_release "$release"; then ready+=("$release"); else status=1; fi
done
[ ${#ready[@]} -eq 0 ] && exit 1

# The releases run side by side (their tests mostly wait on the service, each its own); their output is printed
# one release after the other. RELAY_TESTS_SEQUENTIAL=1 runs them one by one instead.
if [ "${RELAY_TESTS_SEQUENTIAL:-0}" = 1 ] || [ ${#ready[@]} -eq 1 ]; then
  for release in "${ready[@]}"; do test_release "$release" "$@" || status=1; done
  exit "$status"
fi
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pids=()
for release in "${ready[@]}"; do
  test_release "$release" "$@" > "$logs/$release.log" 2>&1 &
  pids+=("$!")
done
for i in "${!ready[@]}"; do
  wait "${pids[$i]}" || status=1
  cat "$logs/${ready[$i]}.log"
done
exit "$status"
