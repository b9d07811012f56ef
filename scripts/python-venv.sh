#!/usr/bin/env bash
# Creates, if missing, the Python virtual environment the tests of real OpenTelemetry clients
# use (tests/live_otel_clients.rs runs tests/clients/otel_python_client.py in it), with the
# OpenTelemetry Python SDK and its OTLP/HTTP protobuf exporter from PyPI at pinned versions.
# Idempotent: a venv that already has these versions is left as it is (a second run costs one
# python start). Prints the venv's python on its last line.
#   LINEAGE_VENV=DIR  where the venv lives (default ~/.cache/lineage-venv)
# Arguments, when given, replace the pins (scripts/python-original-bench.sh asks for pydantic
# in a venv of its own this way).
set -euo pipefail

venv="${LINEAGE_VENV:-$HOME/.cache/lineage-venv}"
pins=(
    "opentelemetry-sdk==1.45.2"
    "opentelemetry-exporter-otlp-proto-http==1.45.2"
)
if [ "$#" -gt 0 ]; then
    pins=("$@")
fi

if ! command -v python3 >/dev/null; then
    echo "python-venv: python3 is missing; the Python client tests will be skipped" >&2
    exit 0
fi

installed() {
    "$venv/bin/python" - "${pins[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(any(version(n) != v for n, v in (p.split("==") for p in sys.argv[1:])))
PY
}

if [ -x "$venv/bin/python" ] && installed; then
    echo "$venv/bin/python"
    exit 0
fi
mkdir -p "$(dirname "$venv")"
if [ ! -x "$venv/bin/python" ]; then
    # Debian's python3 needs python3-venv for ensurepip; install it when it is missing.
    if ! python3 -m venv "$venv" 2>/dev/null; then
        rm -rf "$venv"
        if command -v apt-get >/dev/null; then
            apt-get install -y -q python3-venv >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
        fi
        python3 -m venv "$venv"
    fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}" >&2
echo "$venv/bin/python"
