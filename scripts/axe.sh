#!/usr/bin/env bash
# Install axe-core (the accessibility checker the browser tests inject into each page) from npm,
# at one pinned version, into the git-ignored .cache/axe. Prints the path of axe.min.js.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="4.14.1"
PREFIX=".cache/axe"
SCRIPT="$PREFIX/node_modules/axe-core/axe.min.js"
installed() {
  [ -f "$SCRIPT" ] && grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/axe-core/package.json"
}
if ! installed; then
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-audit --no-fund --save-exact "axe-core@$VERSION" >&2
fi
installed || { echo "axe-core $VERSION did not install into $PREFIX" >&2; exit 1; }
echo "$SCRIPT"
