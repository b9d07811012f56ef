#!/usr/bin/env bash
# A live view in one command: `lineage listen` on 127.0.0.1:4318, the simulated pipeline
# streamed to it as it runs (`lineage simulate --send`, paced with --rate so there is
# something to watch), and the page served by Trunk, following the listener at
#   http://127.0.0.1:8080/?live=127.0.0.1:4318
# The page reaches the listener across origins: the listener answers with
# `Access-Control-Allow-Origin: *` and `Cross-Origin-Resource-Policy: cross-origin`, which a
# cross-origin-isolated page (COEP require-corp) accepts. Ctrl-C stops all three.
#
# Options: LIVE_OPS (operations, default 3000), LIVE_RATE (operations per second, 50).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin lineage
bin=target/release/lineage
"$bin" listen --bind 127.0.0.1:4318 &
listener=$!
trap 'kill "$listener" 2>/dev/null || true; kill "${sender:-}" 2>/dev/null || true' EXIT
if "$bin" simulate --help | grep -q -- '--send'; then
  (
    # Give the page time to open; it reads from the listener's first event anyway.
    sleep 20
    "$bin" simulate --operations "${LIVE_OPS:-3000}" --concurrency 8 --yields 1 \
      --failure-rate 0.1 --send http://127.0.0.1:4318 --rate "${LIVE_RATE:-50}"
  ) &
  sender=$!
else
  echo "live-demo: this lineage has no \`simulate --send\`; post events to http://127.0.0.1:4318/v1/events yourself" >&2
fi
echo "live-demo: open http://127.0.0.1:8080/?live=127.0.0.1:4318"
scripts/serve.sh
