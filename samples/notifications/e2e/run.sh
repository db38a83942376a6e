#!/usr/bin/env bash
# Browser test of the notifications sample, run by Maven in `integration-test` (after the jar is
# built). Needs Node.js 20+ and Chromium at /usr/bin/chromium (or $CHROMIUM); skipped without
# Chromium, except when CI=true. samples/chat/e2e/run.sh is the fuller sibling of this script.
set -euo pipefail
cd "$(dirname "$0")"

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "ERROR: browser tests need Chromium at $CHROMIUM and CI=true forbids skipping them." >&2
    exit 1
  fi
  echo "browser tests skipped: $CHROMIUM not found (apt-get install chromium)"
  exit 0
fi

npm ci --no-audit --no-fund --loglevel=error
exec node --test --test-timeout=180000 --test-reporter=tap test/
