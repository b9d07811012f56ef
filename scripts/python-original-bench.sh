#!/usr/bin/env bash
# Measures the Python original's event bus and ours in one sitting, interleaved, and prints
# the ratio. The Python original is furlat/Abstractions' `abstractions/events/events.py`; its
# code is not in this repository (it has no license): give the path of a checkout.
#
#   scripts/python-original-bench.sh PATH_TO_ABSTRACTIONS_CHECKOUT [SITTINGS]
#
# Each of SITTINGS (default 5) runs `lineage bench` (awaited and names-only rows, the
# baseline and the `tracing` peers, --rounds 11) and then scripts/python_original_bench.py
# (2 000 operations × 25 repetitions, the shape of docs/reference.md's figures), so drift of
# the machine hits both sides alike. The summary gives each side's median over its sittings,
# the range, and the ratios; the raw JSON of every run stays in the output folder.
# On a busy machine wall time counts other programs' turns, so each sitting also takes CPU
# time per operation: the Python harness's own process time, and for the bus the CPU time
# of `examples/emit_cost ROW N` minus that of `ROW N/2`, over N/2 (start-up left out).
#   LINEAGE_BIN=PATH          the lineage binary (default: built with cargo --release)
#   LINEAGE_ORIGINAL_VENV=DIR the venv holding pydantic (default ~/.cache/lineage-venv-original)
#   LINEAGE_ORIGINAL_OUT=DIR  where the runs' JSON goes (default: a new temporary folder)
# Needs PyPI once (pydantic, pinned); nothing else from the network.
set -euo pipefail

checkout="${1:?usage: scripts/python-original-bench.sh PATH_TO_ABSTRACTIONS_CHECKOUT [SITTINGS]}"
sittings="${2:-5}"
here="$(cd "$(dirname "$0")" && pwd)"
checkout="$(cd "$checkout" && pwd)"
if [ ! -f "$checkout/abstractions/events/events.py" ]; then
    echo "python-original-bench: $checkout has no abstractions/events/events.py" >&2
    exit 2
fi

python="$(LINEAGE_VENV="${LINEAGE_ORIGINAL_VENV:-$HOME/.cache/lineage-venv-original}" \
    "$here/python-venv.sh" "pydantic==2.14.4" | tail -n 1)"
if [ -z "$python" ]; then
    echo "python-original-bench: no python3 on this machine" >&2
    exit 2
fi
lineage="${LINEAGE_BIN:-}"
release="$(cd "$here/.." && cargo metadata --format-version 1 --no-deps |
    "$python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release"
if [ -z "$lineage" ]; then
    (cd "$here/.." && cargo build --release --quiet --bin lineage)
    lineage="$release/lineage"
fi
(cd "$here/.." && cargo build --release --quiet --example emit_cost)
emit_cost="$release/examples/emit_cost"
cpu_ops=400000

# CPU seconds (user + system) of one run of emit_cost.
cpu_of() {
    /usr/bin/time -f "%U %S" -o "$out/time.txt" "$emit_cost" "$1" "$2" >/dev/null
    awk '{ print $1 + $2 }' "$out/time.txt"
}
out="${LINEAGE_ORIGINAL_OUT:-$(mktemp -d)}"
mkdir -p "$out"

echo "python-original-bench: $sittings sittings, runs in $out"
echo "  start: $(uptime)"
for i in $(seq 1 "$sittings"); do
    "$lineage" bench --json --modes awaited --no-subscribers --no-phases --no-real \
        --rounds 11 >"$out/lineage-$i.json" 2>/dev/null
    "$python" "$here/python_original_bench.py" "$checkout" >"$out/python-$i.json"
    for row in awaited names-only tracing; do
        echo "$row $(cpu_of "$row" $((cpu_ops / 2))) $(cpu_of "$row" "$cpu_ops")"
    done >"$out/cpu-$i.txt"
    echo "  sitting $i done: $(uptime)"
done

"$python" - "$out" "$sittings" "$cpu_ops" <<'PY'
import json, statistics, sys
out, n, cpu_ops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rust = [json.load(open(f"{out}/lineage-{i}.json")) for i in range(1, n + 1)]
py = [json.load(open(f"{out}/python-{i}.json")) for i in range(1, n + 1)]

def row(report, key):
    return next(r["ns_per_op"]["median"] for r in report["rows"] if r["key"] == key)

sides = {
    "lineage awaited, full payloads": [row(r, "awaited") for r in rust],
    "lineage awaited, names only": [row(r, "awaited.names_only") for r in rust],
    "tracing + Registry": [row(r, "peer.tracing_registry") for r in rust],
    "Python original, 6 generic events": [p["events_us_per_op_median"] * 1e3 for p in py],
    "  the same, its process's CPU time": [p["events_cpu_us_per_op_median"] * 1e3 for p in py],
    "Python original, bare nested awaits": [p["bare_us_per_op_median"] * 1e3 for p in py],
}
print(f"Python {py[0]['python']}, pydantic {py[0]['pydantic']}; {n} sittings, "
      f"{py[0]['operations']} operations × {py[0]['repetitions']} repetitions per Python run")
print(f"{'row':40} {'median ns/op':>14} {'range':>22}")
for name, v in sides.items():
    print(f"{name:40} {statistics.median(v):14.0f} {min(v):10.0f} – {max(v):9.0f}")
def ratios(title, python_side, rows):
    print(title)
    python = statistics.median(python_side)
    for name, v in rows.items():
        per_sitting = [p / r for p, r in zip(python_side, v)]
        print(f"  the Python original / {name}: {python / statistics.median(v):.0f}× "
              f"(per sitting {min(per_sitting):.0f}–{max(per_sitting):.0f}×)")

ratios("wall time (lineage bench's medians; the Python harness's medians):",
       sides["Python original, 6 generic events"],
       {k: sides[k] for k in ("lineage awaited, full payloads", "lineage awaited, names only",
                              "tracing + Registry")})
cpu = {"lineage awaited, full payloads": [], "lineage awaited, names only": [], "tracing + Registry": []}
for i in range(1, n + 1):
    for line, name in zip(open(f"{out}/cpu-{i}.txt"), cpu):
        _, half, full = line.split()
        cpu[name].append((float(full) - float(half)) / (cpu_ops / 2) * 1e9)
print(f"CPU time per operation (bus: emit_cost at {cpu_ops} minus {cpu_ops // 2} operations):")
for name, v in cpu.items():
    print(f"  {name:38} {statistics.median(v):8.0f} ns/op ({min(v):.0f}–{max(v):.0f})")
ratios("CPU time:", sides["  the same, its process's CPU time"], cpu)
PY
echo "  end: $(uptime)"
