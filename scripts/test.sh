#!/usr/bin/env bash
# Runs every test lineage has, after installing what is missing (scripts/setup.sh):
#   1. cargo fmt --check, clippy (warnings are errors) natively and for wasm32, and rustdoc;
#   2. the release build of the app with Trunk (the end-to-end tests drive it);
#   3. native tests: unit, integration, property tests and end-to-end tests in headless Chromium;
#   4. the same core tests, and the component tests, compiled to wasm32 and run in headless
#      Chromium by wasm-bindgen-test-runner.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

scripts/setup.sh
scripts/python-venv.sh >/dev/null  # the OpenTelemetry Python SDK for tests/live_otel_clients.rs
export PATH="$HOME/.cargo/bin:${LINEAGE_TOOLS_DIR:-$HOME/.cache/lineage-webtools}/node_modules/.bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy (native)"
cargo clippy --all-targets --locked -- -D warnings

step "clippy (wasm32)"
cargo clippy --all-targets --locked --target wasm32-unknown-unknown -- -D warnings

step "rustdoc (broken and private links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib --locked
# The page's modules are compiled for the browser only: their docs are checked there.
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib --locked --target wasm32-unknown-unknown

step "trunk build --release"
trunk build --release

step "native tests (unit, integration, property, end-to-end)"
cargo test --locked 2>&1 | tee /tmp/lineage-native-tests.log

step "tests in headless Chromium (wasm32)"
# The runner gives a test binary 20 s in all by default; the core's tests in a debug wasm
# build on a 2-core machine take longer than that (none is timed: this is only the runner's
# patience).
WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-900}" \
cargo test --locked --target wasm32-unknown-unknown 2>&1 | tee /tmp/lineage-wasm-tests.log

count() { grep -Eo 'test result: ok\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}'; }
step "all green: $(count /tmp/lineage-native-tests.log) native + $(count /tmp/lineage-wasm-tests.log) in-browser tests passed in $(( $(date +%s) - start )) s"
