#!/usr/bin/env bash
# Key rotation benchmark (issue 5): how long `vigil keys rotate` takes on a register of
# BENCH_REGISTRANTS synthetic registrants, and what the API's read latency is while it runs,
# on SQLite and on PostgreSQL.
#
#   bench/rotation.sh                                         # full run: 100,000 registrants
#   BENCH_REGISTRANTS=2000 BENCH_SECONDS=5 bench/rotation.sh  # quick check that the script works
#
# For each backend it imports the register (`vigil import registrants`), starts `vigil demo` on it,
# measures audited registrant reads with wrk for BENCH_SECONDS (baseline), then adds a key pair
# (`vigil keys add`), restarts the service with both keys as a replica would be, and runs
# `vigil keys rotate` while wrk keeps reading in back-to-back BENCH_SLICE-second slices. It prints
# the rotation's wall time and rows moved, the baseline p50/p99, and the p50/p99 of each slice
# during rotation (median and worst), and checks afterwards that nothing is left under the old
# keys and that reads still answer 200.
#
# Settings: BENCH_REGISTRANTS (100000), BENCH_SECONDS (30), BENCH_SLICE (10), BENCH_CONNECTIONS (8),
# BENCH_BATCH (rows per rotation transaction, 500), BENCH_PAUSE_MS (pause after each rotation
# transaction, 0), BENCH_BACKENDS ("sqlite postgres"),
# BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_PORT (18082), CARGO_TARGET_DIR (target).

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO/bench"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
REGISTRANTS=${BENCH_REGISTRANTS:-100000}
SECONDS_PER_PHASE=${BENCH_SECONDS:-30}
SLICE=${BENCH_SLICE:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
BATCH=${BENCH_BATCH:-500}
PAUSE_MS=${BENCH_PAUSE_MS:-0}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18082}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
BASE="http://127.0.0.1:$PORT"

require_loopback_pg
require_positive "$REGISTRANTS" "$SECONDS_PER_PHASE" "$SLICE" "$CONNECTIONS" "$BATCH" "$PORT"
require_tools
[[ "$BACKENDS" != *postgres* ]] || command -v psql >/dev/null || die "psql is required"
take_lock
build_release --bin vigil --example synthetic_register
BIN="$OUT/vigil"
GEN="$OUT/examples/synthetic_register"
VERSION=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)

WORK=$(mktemp -d /tmp/vigil-rotation.XXXXXX)
ROTATE_PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    [[ -z "$ROTATE_PID" ]] || kill "$ROTATE_PID" 2>/dev/null || true
    stop_server
    drop_pg_db
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SUMMARY=()

log "generating $REGISTRANTS registrants"
"$GEN" "$REGISTRANTS" 1 "$WORK/register.csv" "$WORK/reports.jsonl"

# wrk_read LABEL SECONDS: audited reads of random registrants; prints the BENCH_RESULT line.
wrk_read() {
    local out="$WORK/wrk.$1.out"
    BENCH_TOKEN="$TOKEN" BENCH_LABEL="$1" BENCH_IDS_FILE="$WORK/ids.txt" \
        wrk -t2 -c"$CONNECTIONS" -d"${2}s" --timeout 30s --latency -s "$BENCH_DIR/read.lua" "$BASE" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
    local line
    line=$(grep '^BENCH_RESULT ' "$out" | tail -1) || die "wrk printed no result"
    [[ "$(field non2xx "$line")" == 0 ]] || { grep BENCH_FIRST_ERROR "$out" >&2; die "non-2xx responses during $1: $line"; }
    echo "$line"
}

bench_backend() {
    local backend=$1 dir="$WORK/$1"
    mkdir -p "$dir"
    demo_database "$backend" "$dir" vigil_rotation
    log "$backend: importing $REGISTRANTS registrants"
    import_register "$dir" "$WORK/register.csv"
    export VIGIL__DATABASE__URL="$DB_URL" VIGIL__KEYS__FILE="$dir/keyring.json"

    start_demo "$dir" "$dir/server.log" "${DEMO_ARGS[@]}"
    TOKEN=$("$BIN" dev-token --role ppo --org met --subject bench-reader --data-dir "$dir" --ttl-minutes 600)
    registrant_ids "$TOKEN" "$WORK/ids.txt" 2000
    local line
    log "$backend: baseline reads for ${SECONDS_PER_PHASE}s"
    line=$(wrk_read "$backend-baseline" "$SECONDS_PER_PHASE")
    SUMMARY+=("| $backend | reads before rotation | $(field rps "$line") /s | p50 $(field p50_ms "$line") ms | p99 $(field p99_ms "$line") ms |")
    log "${SUMMARY[-1]}"

    "$BIN" keys add >/dev/null
    stop_server
    start_demo "$dir" "$dir/server2.log" "${DEMO_ARGS[@]}"

    log "$backend: rotating (batches of $BATCH, pause ${PAUSE_MS} ms) while reading"
    local started elapsed slices=() slice=0
    started=$(date +%s.%N)
    "$BIN" keys rotate --batch "$BATCH" --pause-ms "$PAUSE_MS" >"$dir/rotate.out" 2>"$dir/rotate.log" &
    ROTATE_PID=$!
    while kill -0 "$ROTATE_PID" 2>/dev/null; do
        slice=$((slice + 1))
        line=$(wrk_read "$backend-during-$slice" "$SLICE")
        slices+=("$(field p50_ms "$line") $(field p99_ms "$line") $(field rps "$line")")
    done
    wait "$ROTATE_PID" || { tail -20 "$dir/rotate.log" >&2; die "rotation failed"; }
    ROTATE_PID=""
    elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    local moved
    moved=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=d["moved"]; r=d["remaining"]; assert r["sealed_values"]==0 and r["indexed_owners"]==0, r; print(m["resealed"], "values re-sealed,", m["reindexed_owners"], "owners re-indexed")' "$dir/rotate.out")
    SUMMARY+=("| $backend | rotation of $REGISTRANTS registrants (batch $BATCH, pause $PAUSE_MS ms) | ${elapsed} s | $moved | |")
    # Median and worst of the slices' p50, p99 and throughput.
    SUMMARY+=("| $backend | reads during rotation ($slice slices of ${SLICE}s) | $(printf '%s\n' "${slices[@]}" | python3 -c '
import sys, statistics
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
p50, p99, rps = zip(*rows)
print(f"median {statistics.median(rps):.1f} /s | p50 median {statistics.median(p50):.2f} ms | p99 median {statistics.median(p99):.2f} ms, worst {max(p99):.2f} ms")') |")
    log "${SUMMARY[-2]}"
    log "${SUMMARY[-1]}"
    line=$(wrk_read "$backend-after" 5)
    SUMMARY+=("| $backend | reads after rotation | $(field rps "$line") /s | p50 $(field p50_ms "$line") ms | p99 $(field p99_ms "$line") ms |")
    stop_server
    drop_pg_db
    unset VIGIL__DATABASE__URL VIGIL__KEYS__FILE
}

log "vigil $VERSION; $(nproc) cores; $REGISTRANTS registrants; $CONNECTIONS connections"
for backend in $BACKENDS; do
    case "$backend" in sqlite|postgres) bench_backend "$backend" ;; *) die "unknown backend $backend" ;; esac
done
echo
echo "Results ($STAMP, vigil $VERSION, $(nproc) cores):"
echo "| backend | phase | | | |"
echo "|---|---|---|---|---|"
printf '%s\n' "${SUMMARY[@]}"
