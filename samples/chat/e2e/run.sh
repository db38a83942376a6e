#!/usr/bin/env bash
# Browser tests of the chat sample, run by Maven in `integration-test` (after the jar is built).
# Needs Node.js 20+ and Chromium at /usr/bin/chromium (or $CHROMIUM): on Debian,
# `apt-get install -y chromium`. Without Chromium the tests are skipped, except when CI=true.
set -euo pipefail
cd "$(dirname "$0")"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "ERROR: browser tests need Chromium at $CHROMIUM and CI=true forbids skipping them." >&2
    echo "       Install it first: apt-get install -y chromium chromium-driver" >&2
    exit 1
  fi
  echo "browser tests skipped: $CHROMIUM not found (apt-get install chromium)"
  exit 0
fi
export CHROMIUM

if ! command -v node > /dev/null; then
  echo "ERROR: browser tests need Node.js 20+ (node not found)" >&2
  exit 1
fi

# playwright-core only drives the browser installed above; it downloads none.
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

# One test file at a time: each starts its own server and browser on a 2-core machine.
# TAP: the runner's summary (# tests, # pass, # fail) closes the output.
exec node --test --test-concurrency=1 --test-timeout=600000 --test-reporter=tap test/
