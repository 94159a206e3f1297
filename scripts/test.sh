#!/usr/bin/env bash
# Set up, start what the tests need, then run the linters, the type checker and every test:
# - Chromium from Debian's packages for the browser tests (scripts/chromium.sh), and axe-core
#   from npm for their accessibility checks (scripts/axe.sh);
# - PostgreSQL from Debian's packages for the storage tests (scripts/postgres.sh), unless
#   $LFR_TEST_PG_URL already names one;
# - nats-server from Debian's packages for the edge-node tests (scripts/nats.sh);
# - the real models on real faces read ../shared/data (or $LFR_TEST_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/chromium.sh
./scripts/nats.sh
./scripts/axe.sh >/dev/null
if [ -z "${LFR_TEST_PG_URL:-}" ]; then
  LFR_TEST_PG_URL="$(./scripts/postgres.sh)"
  export LFR_TEST_PG_URL
fi
.venv/bin/ruff check src tests bench scripts
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/pytest "$@"
