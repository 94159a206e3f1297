#!/usr/bin/env bash
# Install Debian's nats-server for the edge-node tests if it is missing (the tests start their
# own servers, each on a free port with a temporary JetStream store).
set -euo pipefail
if ! command -v nats-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq nats-server >&2
fi
