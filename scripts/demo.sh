#!/usr/bin/env bash
# Set up, then run the main job on the embedded defaults: a public-domain portrait enrolled
# as the watchlist and found in a clip generated from it, printing the alert.
#   ./scripts/demo.sh            the command-line demo (extra arguments go to `lfr demo`)
#   ./scripts/demo.sh web        the same clip as a live camera in the web app (`lfr serve --demo`)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ "${1:-}" = "web" ]; then
  shift
  exec .venv/bin/lfr serve --demo "$@"
fi
exec .venv/bin/lfr demo "$@"
