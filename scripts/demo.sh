#!/usr/bin/env bash
# Set up, then run the main job on the embedded defaults: a public-domain portrait enrolled
# as the watchlist and found in a clip generated from it. Extra arguments go to `lfr demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/lfr demo "$@"
