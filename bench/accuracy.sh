#!/usr/bin/env bash
# Register-check accuracy through the service's own path (issue 15): a synthetic register with
# heavy damage is imported with `vigil import registrants` (real blind indexes, real match
# profiles, real key ring), `vigil demo` serves it, and bench/accuracy.py records each damaged
# report and runs a register check on it over HTTP, then scores what the service returned.
#
#   bench/accuracy.sh                                     # 100,000 and 1,000,000 registrants, SQLite
#   BENCH_SIZES=20000 BENCH_QUERIES=200 bench/accuracy.sh # quick run
#   BENCH_BACKENDS="sqlite postgres" bench/accuracy.sh    # both backends. On PostgreSQL the import
#                                                         # writes batches side by side, so
#                                                         # references are not in file order and
#                                                         # the truth of some reports is
#                                                         # misattributed: read its false alarms
#                                                         # and latency, not its recall
#   BENCH_DATA=febrl bench/accuracy.sh                    # the public FEBRL 4 set instead (bench/febrl.py)
#
# Settings (environment):
#   BENCH_SIZES     registers to build, comma-separated        (100000,1000000)
#   BENCH_QUERIES   reports per register, half about registrants (2000)
#   BENCH_SEED      generator seed                              (15)
#   BENCH_BACKENDS  backends, in order                          (sqlite)
#   BENCH_PG_URL    PostgreSQL server, loopback only            (postgres://postgres@127.0.0.1:5432)
#   BENCH_PORT      port for the service on 127.0.0.1           (18083)
#   BENCH_DATA      synthetic | febrl                           (synthetic)
#   BENCH_KEEP      a folder to keep each run's raw results in  (none)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO/bench"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
SIZES=${BENCH_SIZES:-100000,1000000}
QUERIES=${BENCH_QUERIES:-2000}
SEED=${BENCH_SEED:-15}
BACKENDS=${BENCH_BACKENDS:-sqlite}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18083}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
BASE="http://127.0.0.1:$PORT"

require_loopback_pg
require_tools
take_lock
build_release --bin vigil --example accuracy_data
BIN="$OUT/vigil"
GEN="$OUT/examples/accuracy_data"
VERSION=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
WORK=$(mktemp -d /tmp/vigil-accuracy.XXXXXX)
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_server
    drop_pg_db
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run() {
    local size=$1 backend=$2 dir="$WORK/$1-$2" url
    mkdir -p "$dir"
    if [[ "$backend" == postgres ]]; then
        create_pg_db "vigil_accuracy_${STAMP,,}_$$"
        url="$PG_URL/$PG_DB"
    else
        url="sqlite://$dir/vigil.db?mode=rwc"
    fi
    "$BIN" keys generate --out "$dir/keyring.json" >/dev/null
    log "$backend, $size: importing"
    local started
    started=$(date +%s)
    VIGIL__DATABASE__URL="$url" VIGIL__KEYS__FILE="$dir/keyring.json" \
        "$BIN" import registrants "$WORK/register-$size.csv" --org met --operator bench --no-duplicate-check --batch 500 >"$dir/import.log" 2>&1 ||
        { tail -20 "$dir/import.log" >&2; die "$backend: import failed"; }
    log "$backend, $size: imported in $(( $(date +%s) - started )) s"
    [[ "$backend" != postgres ]] || psql "$url" -qAtX -c "VACUUM (ANALYZE)" >/dev/null
    local url_args=()
    [[ "$backend" != postgres ]] || url_args=(--database-url "$url")
    start_demo "$dir" "$dir/server.log" --checks-per-hour 1000000000 "${url_args[@]}"
    local n
    for n in $(seq 1 8); do
        "$BIN" dev-token --role ppo --org met --subject "accuracy-officer-$n" --data-dir "$dir" --ttl-minutes 600
    done >"$dir/tokens.txt"
    log "$backend, $size: $QUERIES reports, each recorded and checked"
    echo
    echo "### $size registrants, $backend (vigil $VERSION, seed $SEED, $(date -u +%F))"
    python3 "$BENCH_DIR/accuracy.py" "$BASE" "$dir/tokens.txt" "$WORK/queries-$size.jsonl" "$dir/results.json"
    [[ -z "${BENCH_KEEP:-}" ]] || { mkdir -p "$BENCH_KEEP"; cp "$dir/results.json" "$BENCH_KEEP/results-$size-$backend.json"; }
    stop_server
    drop_pg_db
    rm -rf "$dir"
}

IFS=, read -r -a sizes <<<"$SIZES"
[[ "${BENCH_DATA:-synthetic}" != febrl ]] || sizes=(febrl4)
for size in "${sizes[@]}"; do
    if [[ "$size" == febrl4 ]]; then
        log "converting FEBRL 4 (5,000 registrants, 5,000 reports)"
        python3 "$BENCH_DIR/febrl.py" "$WORK/register-$size.csv" "$WORK/queries-$size.jsonl"
    else
        log "generating $size registrants and $QUERIES reports (seed $SEED)"
        "$GEN" "$size" "$QUERIES" "$SEED" "$WORK/register-$size.csv" "$WORK/queries-$size.jsonl"
    fi
    for backend in $BACKENDS; do
        run "$size" "$backend"
    done
done
