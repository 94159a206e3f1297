#!/usr/bin/env bash
# Set up, start what the tests need, then run the linters, the type checker and the tests.
#   ./scripts/test.sh            everything (what .ci/run runs), one pytest worker per core,
#                                with branch coverage held to its floor (pyproject.toml);
#   ./scripts/test.sh --quick    the loop while working: ruff, mypy, import contracts, the unit
#                                tests and the governance and web-app tests on SQLite (no real
#                                models, browser or PostgreSQL); a few minutes.
# Further arguments go to pytest. What the full run installs and starts:
# - Chromium from Debian's packages for the browser tests (scripts/chromium.sh), and axe-core
#   from npm for their accessibility checks (scripts/axe.sh);
# - PostgreSQL from Debian's packages for the storage tests (scripts/postgres.sh), unless
#   $LFR_TEST_PG_URL already names one;
# - nats-server from Debian's packages for the edge-node tests (scripts/nats.sh; --quick too);
# - the real models on real faces read ../shared/data (or $LFR_TEST_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then
  quick=1
  shift
fi
./scripts/setup.sh
./scripts/nats.sh
if [ "$quick" = 0 ]; then
  ./scripts/chromium.sh
  ./scripts/axe.sh >/dev/null
  if [ -z "${LFR_TEST_PG_URL:-}" ]; then
    LFR_TEST_PG_URL="$(./scripts/postgres.sh)"
    export LFR_TEST_PG_URL
  fi
fi
.venv/bin/ruff check src tests bench scripts
.venv/bin/mypy
.venv/bin/lint-imports
# The documentation site; not --quiet: with it, mkdocs 1.6 drops the warnings --strict counts.
NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true .venv/bin/mkdocs build --strict --site-dir .cache/docs-site
# One worker per core; a test file stays on one worker, so its module fixtures (a server, a
# browser, the models) start once.
workers=(-n "${LFR_TEST_WORKERS:-$(nproc)}" --dist loadfile)
if [ "$quick" = 1 ]; then
  LFR_TEST_BACKENDS=sqlite exec .venv/bin/pytest "${workers[@]}" -m "not e2e" \
    tests/unit tests/gov tests/api "$@"
fi
exec .venv/bin/pytest "${workers[@]}" --cov --cov-report=term:skip-covered "$@"
