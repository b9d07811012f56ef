#!/usr/bin/env bash
# Fuzzes every importer: `bash fuzz/run.sh [RUNS]` (default 1 000 000 executions per target).
# Needs nightly Rust and cargo-fuzz (`cargo install cargo-fuzz`); see docs/fuzzing.md.
# Each target starts from the seeds in fuzz/seeds/ and keeps its corpus in fuzz/corpus/
# (not committed); a crash stops the run and leaves its input in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-1000000}"
LOG_DIR="${FUZZ_LOG_DIR:-fuzz/logs}"
mkdir -p "$LOG_DIR"
seeds_for() {
  case "$1" in
    import_native) echo fuzz/seeds/native ;;
    import_original) echo fuzz/seeds/original ;;
    import_chrome) echo fuzz/seeds/chrome ;;
    import_otlp) echo fuzz/seeds/otlp ;;
    import_detect | import_chunked) echo fuzz/seeds/native fuzz/seeds/original fuzz/seeds/chrome fuzz/seeds/otlp ;;
  esac
}
TARGETS="${TARGETS:-import_native import_original import_chrome import_otlp import_detect import_chunked}"
# Build once, then run the binaries: editing the sources during a long run changes nothing.
cargo +nightly fuzz build -O
BIN_DIR="fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"
for target in $TARGETS; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  for dir in $(seeds_for "$target"); do cp -n "$dir"/* "$corpus"/ 2>/dev/null || true; done
  echo "== $target: $RUNS runs" >&2
  mkdir -p "fuzz/artifacts/$target"
  "$BIN_DIR/$target" "$corpus" -artifact_prefix="fuzz/artifacts/$target/" \
    -runs="$RUNS" -max_len=8192 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    2>&1 | tee "$LOG_DIR/$target.log" | grep -E "^Done|stat::number_of_executed_units|ERROR|panicked" || true
  grep -q "^Done" "$LOG_DIR/$target.log" || { echo "$target did not finish: see $LOG_DIR/$target.log" >&2; exit 1; }
done
