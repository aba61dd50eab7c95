#!/usr/bin/env bash
# `npm test`: every runner (vitest, Playwright, the Python suites), each even when an earlier one failed, so one
# failure never hides another; exits non-zero if any runner failed, naming which.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
for runner in test:unit test:e2e test:python; do
  echo "== npm run ${runner}"
  npm run --silent "$runner" || failed+=("$runner")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "npm test: failed: ${failed[*]}"
  exit 1
fi
echo "npm test: every runner passed"
