#!/usr/bin/env bash
# Does the largest allowed request stall the service? (issue 13, item 3)
#
#   bench/stall.sh
#
# Builds the release binary, starts `vigil demo` on 127.0.0.1 (SQLite, empty register), then
#   1. idle    - wrk, 1 connection, GET /health/live for BENCH_SECONDS: the baseline;
#   2. loaded  - the same, while BENCH_CONNECTIONS other connections keep POSTing the largest
#                registrant the API accepts (every list at its limit in domain/src/limits.rs,
#                every entry distinct, 4 KB of notes), each sealed and blind-indexed;
# and prints /health/live p50/p90/p99/max in both phases and the creates/s achieved.
#
# Settings: BENCH_SECONDS (20), BENCH_CONNECTIONS (8), BENCH_PORT (18085), CARGO_TARGET_DIR.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
source "$REPO/bench/lib.sh"
SECONDS_EACH=${BENCH_SECONDS:-20}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
PORT=${BENCH_PORT:-18085}
BASE="http://127.0.0.1:$PORT"
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
require_positive "$SECONDS_EACH" "$CONNECTIONS" "$PORT"
require_tools
take_lock
WORK=$(mktemp -d /tmp/vigil-stall.XXXXXX)
trap 'stop_server; rm -rf "$WORK"' EXIT

build_release --bin vigil
BIN="$OUT/vigil"
start_demo "$WORK/demo" "$WORK/server.log"
export BENCH_TOKEN
BENCH_TOKEN=$("$BIN" dev-token --role ppo --org met --data-dir "$WORK/demo")

# 400 distinct largest bodies, the shape of tests/it/support largest_registrant_body().
python3 - "$WORK/bodies.jsonl" <<'PY'
import json, sys
NAMES, BIRTH_DATES, DESCRIPTORS, ADDRESSES, IDENTIFIERS = 20, 5, 30, 50, 50
with open(sys.argv[1], "w") as out:
    for b in range(400):
        tag = f"b{b}"
        ident = []
        for i in range(IDENTIFIERS):
            if i % 3 == 0:
                ident.append({"kind": "phone", "value": f"07700 900{(b * 50 + i) % 1000:03d}"})
            elif i % 3 == 1:
                ident.append({"kind": "email", "value": f"large{tag}.{i}@example.org"})
            else:
                ident.append({"kind": "online_handle", "platform": "Instagram", "value": f"@large_{tag}_{i}"})
        body = {
            "names": [{"kind": "primary" if i == 0 else "alias", "given": f"Given{i}x", "family": f"Large{tag}n{i}"} for i in range(NAMES)],
            "birth_dates": [f"198{i}-0{i + 1}-1{i}" for i in range(BIRTH_DATES)],
            "descriptors": [{"kind": "scar_mark_tattoo", "value": f"Synthetic mark {i} on the left arm"} for i in range(DESCRIPTORS)],
            "addresses": [{"kind": "home", "lines": [f"{i} Fiction Road", "Flat 2"], "town": "Exampleton",
                           "postcode": f"EX{i % 9 + 1} {i % 9 + 1}AA"} for i in range(ADDRESSES)],
            "identifiers": ident,
            "notes": "synthetic " * 400,
        }
        out.write(json.dumps(body) + "\n")
PY
export BENCH_BODIES="$WORK/bodies.jsonl"
size=$(head -1 "$BENCH_BODIES" | wc -c)
log "largest body: $size bytes"

# health LABEL: wrk on /health/live, one connection; prints its latency distribution.
health() {
    wrk -t1 -c1 -d"${SECONDS_EACH}s" --latency "$BASE/health/live" >"$WORK/health-$1.txt"
    local p50 p90 p99 max
    p50=$(awk '$1=="50%"{print $2}' "$WORK/health-$1.txt")
    p90=$(awk '$1=="90%"{print $2}' "$WORK/health-$1.txt")
    p99=$(awk '$1=="99%"{print $2}' "$WORK/health-$1.txt")
    max=$(awk '$1=="Latency"{print $4}' "$WORK/health-$1.txt")
    echo "health/live $1: p50=$p50 p90=$p90 p99=$p99 max=$max"
}

health idle
BENCH_LABEL=largest wrk -t2 -c"$CONNECTIONS" -d"$((SECONDS_EACH + 4))s" --latency -s "$REPO/bench/largest.lua" "$BASE" >"$WORK/creates.txt" &
LOAD=$!
sleep 2
health loaded
wait "$LOAD"
rate=$(awk '$1=="Requests/sec:"{print $2}' "$WORK/creates.txt")
cp50=$(awk '$1=="50%"{print $2}' "$WORK/creates.txt")
echo "largest creates: ${rate}/s at $CONNECTIONS connections, p50=$cp50 ($(grep -o 'BENCH_RESULT.*' "$WORK/creates.txt" | head -1))"
echo "version: $(cd "$REPO" && git describe --always --dirty), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
