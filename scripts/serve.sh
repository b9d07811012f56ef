#!/usr/bin/env bash
# Serves the inspector at http://127.0.0.1:8080 with `trunk serve`, after installing what is
# missing. A release build: the in-browser measurements are meaningless in a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-browser
export PATH="$HOME/.cargo/bin:${LINEAGE_TOOLS_DIR:-$HOME/.cache/lineage-webtools}/node_modules/.bin:$PATH"
exec trunk serve --release "$@"
