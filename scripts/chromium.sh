#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests if it is missing (Playwright drives it at
# /usr/bin/chromium; `playwright install` is never used: it downloads its own browser).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq chromium >&2
fi
