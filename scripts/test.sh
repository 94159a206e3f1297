#!/usr/bin/env bash
# Set up, then run the linters, the type checker and every test (real models on real faces
# included: they read ../shared/data, or $LFR_TEST_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/pytest "$@"
