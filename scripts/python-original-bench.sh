#!/usr/bin/env bash
# Measures the Python original's event bus and ours in one sitting, interleaved, and prints
# the ratio. The Python original is furlat/Abstractions' `abstractions/events/events.py`; its
# code is not in this repository (it has no license): give the path of a checkout.
#
#   scripts/python-original-bench.sh PATH_TO_ABSTRACTIONS_CHECKOUT [SITTINGS]
#
# Each of SITTINGS (default 3) runs `lineage bench` (awaited and names-only rows, the
# baseline and the `tracing` peers, --rounds 11) and then scripts/python_original_bench.py
# (2 000 operations × 25 repetitions, the shape of docs/reference.md's figures), so drift of
# the machine hits both sides alike. The summary gives each side's median over its sittings,
# the range, and the ratios; the raw JSON of every run stays in the output folder.
#   LINEAGE_BIN=PATH          the lineage binary (default: built with cargo --release)
#   LINEAGE_ORIGINAL_VENV=DIR the venv holding pydantic (default ~/.cache/lineage-venv-original)
#   LINEAGE_ORIGINAL_OUT=DIR  where the runs' JSON goes (default: a new temporary folder)
# Needs PyPI once (pydantic, pinned); nothing else from the network.
set -euo pipefail

checkout="${1:?usage: scripts/python-original-bench.sh PATH_TO_ABSTRACTIONS_CHECKOUT [SITTINGS]}"
sittings="${2:-3}"
here="$(cd "$(dirname "$0")" && pwd)"
checkout="$(cd "$checkout" && pwd)"
if [ ! -f "$checkout/abstractions/events/events.py" ]; then
    echo "python-original-bench: $checkout has no abstractions/events/events.py" >&2
    exit 2
fi

python="$(LINEAGE_VENV="${LINEAGE_ORIGINAL_VENV:-$HOME/.cache/lineage-venv-original}" \
    "$here/python-venv.sh" "pydantic==2.14.4" | tail -n 1)"
lineage="${LINEAGE_BIN:-}"
if [ -z "$lineage" ]; then
    (cd "$here/.." && cargo build --release --quiet --bin lineage)
    lineage="$(cd "$here/.." && cargo metadata --format-version 1 --no-deps |
        "$python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/lineage"
fi
out="${LINEAGE_ORIGINAL_OUT:-$(mktemp -d)}"
mkdir -p "$out"

echo "python-original-bench: $sittings sittings, runs in $out" >&2
echo "  start: $(uptime)" >&2
for i in $(seq 1 "$sittings"); do
    "$lineage" bench --json --modes awaited --no-subscribers --no-phases --no-real \
        --rounds 11 >"$out/lineage-$i.json" 2>/dev/null
    "$python" "$here/python_original_bench.py" "$checkout" >"$out/python-$i.json"
    echo "  sitting $i done: $(uptime)" >&2
done

"$python" - "$out" "$sittings" <<'PY'
import json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
rust = [json.load(open(f"{out}/lineage-{i}.json")) for i in range(1, n + 1)]
py = [json.load(open(f"{out}/python-{i}.json")) for i in range(1, n + 1)]

def row(report, key):
    return next(r["ns_per_op"]["median"] for r in report["rows"] if r["key"] == key)

sides = {
    "lineage awaited, full payloads": [row(r, "awaited") for r in rust],
    "lineage awaited, names only": [row(r, "awaited.names_only") for r in rust],
    "tracing + Registry": [row(r, "peer.tracing_registry") for r in rust],
    "Python original, 6 generic events": [p["events_us_per_op_median"] * 1e3 for p in py],
    "Python original, bare nested awaits": [p["bare_us_per_op_median"] * 1e3 for p in py],
}
print(f"Python {py[0]['python']}, pydantic {py[0]['pydantic']}; {n} sittings, "
      f"{py[0]['operations']} operations × {py[0]['repetitions']} repetitions per Python run")
print(f"{'row':40} {'median ns/op':>14} {'range':>22}")
for name, v in sides.items():
    print(f"{name:40} {statistics.median(v):14.0f} {min(v):10.0f} – {max(v):9.0f}")
python = statistics.median(sides["Python original, 6 generic events"])
for name in ("lineage awaited, full payloads", "lineage awaited, names only", "tracing + Registry"):
    per_sitting = [p / r for p, r in zip(sides["Python original, 6 generic events"], sides[name])]
    print(f"the Python original / {name}: {python / statistics.median(sides[name]):.0f}× "
          f"(per sitting {min(per_sitting):.0f}–{max(per_sitting):.0f}×)")
PY
echo "  end: $(uptime)" >&2
