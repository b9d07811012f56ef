#!/usr/bin/env bash
# Installs, idempotently, everything the serve and test commands need on a fresh machine.
# Each step checks first and skips what is already present. Nothing is downloaded from
# anywhere but the package registries (crates.io, npm, Debian); see ../shared/TOOLCHAIN.md.
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal wasm-bindgen in Cargo.lock (pinned with `=` in Cargo.toml)
BINARYEN_VERSION=132.0.0
TOOLS_DIR="${LINEAGE_TOOLS_DIR:-$HOME/.cache/lineage-webtools}"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

need_browser=1
[ "${1:-}" = "--no-browser" ] && need_browser=0

export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 12 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lock file names a webpki-roots release that is gone from crates.io.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version 132"; then
  say "installing wasm-opt from npm binaryen@$BINARYEN_VERSION into $TOOLS_DIR"
  # Debian's binaryen (108) produces a .wasm that crashes at load: never use it.
  mkdir -p "$TOOLS_DIR"
  (cd "$TOOLS_DIR" && { [ -f package.json ] || echo '{"private":true}' > package.json; } \
    && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION")
fi

if [ "$need_browser" = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian chromium and chromium-driver"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

say "toolchain ready: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | head -1)"
