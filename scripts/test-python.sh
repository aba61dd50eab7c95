#!/usr/bin/env bash
# The Python half of `npm test`: every openedx/<package>/run-tests.sh (the relay, the Tutor plugin). Each script
# creates its virtual environments from PyPI when missing and runs pytest once per supported release.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for suite in openedx/*/run-tests.sh; do
  [ -f "$suite" ] || continue
  echo "== python: ${suite%/run-tests.sh}"
  bash "$suite" || status=1
done
exit "$status"
