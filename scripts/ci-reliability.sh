#!/usr/bin/env bash
# Reliability and security proofs on their own: fault injection, crash recovery, bad input, access control,
# private targets (vitest, builds the app into .next-test when needed), then a short load run on PostgreSQL.
#   scripts/ci-reliability.sh                 (LOAD_SECONDS=20 LOAD_RATE=500 by default; LOAD_SECONDS=0 skips it)
# Needs the local PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== reliability and security suites"
npx vitest run tests/reliability tests/security

LOAD_SECONDS="${LOAD_SECONDS:-20}"
if [ "$LOAD_SECONDS" != "0" ]; then
  echo "== load: ${LOAD_RATE:-500} events/s for ${LOAD_SECONDS} s"
  LOAD_SECONDS="$LOAD_SECONDS" node --import tsx bench/load-events.ts
fi
