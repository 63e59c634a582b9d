#!/usr/bin/env bash
# Vigil's audited read side by side with the bare stack (issue 18): the same register size, the
# same wrk load, in one run, alternating, on each backend.
#
#   bench/bare.sh
#   BENCH_BACKENDS=sqlite BENCH_ROUNDS=1 BENCH_SECONDS=10 bench/bare.sh   # a quick look
#
# - Vigil: BENCH_REGISTRANTS synthetic registrants imported with `vigil import` (real blind
#   indexes, key ring and sealing), served by `vigil demo` (the service's own stack: sign-in,
#   permissions, justification, audit with its sealer, access log), GET /api/v1/registrants/{id}
#   with a bearer token and a reason code: one registrant in full, decrypted, audited.
# - The bare stack (bench/bare, axum + sqlx, nothing else): as many people with 8 sealed fields,
#   GET /people/{id}: one row read, 8 fields opened with AES-256-GCM, one audit row committed.
#
# Each phase is one wrk run of BENCH_SECONDS at BENCH_CONNECTIONS, measuring requests/s, latency
# percentiles, the server's CPU per read and the whole machine's (database and wrk too).
# BENCH_ROUNDS rounds alternate which server goes first, so drift in the machine's load falls on
# both. Prints every phase, then per backend the medians and Vigil's share of the bare stack's
# rate.
#
# Settings: BENCH_BACKENDS ("sqlite postgres"), BENCH_REGISTRANTS (20000), BENCH_SECONDS (20),
# BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_PORT (18089), BENCH_PG_URL, CARGO_TARGET_DIR.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
source "$REPO/bench/lib.sh"
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
REGISTRANTS=${BENCH_REGISTRANTS:-20000}
SECONDS_EACH=${BENCH_SECONDS:-20}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18089}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
BASE="http://127.0.0.1:$PORT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
require_positive "$REGISTRANTS" "$SECONDS_EACH" "$ROUNDS" "$CONNECTIONS" "$PORT"
require_loopback_pg
require_tools
take_lock
build_release -p bare-stack
build_release --bin vigil --example synthetic_register
BIN="$OUT/vigil"
BARE="$OUT/bare-stack"
GEN="$OUT/examples/synthetic_register"
WORK=$(mktemp -d /tmp/vigil-bare.XXXXXX)
cleanup() {
    stop_server
    drop_pg_db
    rm -rf "$WORK"
}
trap cleanup EXIT

log "generating $REGISTRANTS registrants"
"$GEN" "$REGISTRANTS" 0 "$WORK/register.csv" "$WORK/reports.jsonl"

# start_bare URL LOG: the bare stack on PORT, its people's ids in $dir/bare-ids.txt.
start_bare() {
    "$BARE" --url "$1" --rows "$REGISTRANTS" --bind "127.0.0.1:$PORT" --ids "$dir/bare-ids.txt" >"$2" 2>&1 &
    SERVER_PID=$!
    wait_ready "$2" "the bare stack"
}

# phase BACKEND SERVER ROUND: one wrk run against SERVER (vigil or bare) on BACKEND.
phase() {
    local backend=$1 server=$2 round=$3 measured
    if [[ "$server" == vigil ]]; then
        start_demo "$dir" "$WORK/$backend-vigil-$round.log" "${DEMO_ARGS[@]}"
        export BENCH_TOKEN BENCH_IDS_FILE="$dir/ids.txt" BENCH_READ_PATH=/api/v1/registrants/ BENCH_LABEL="vigil-$backend"
        BENCH_TOKEN=$("$BIN" dev-token --role ppo --org met --data-dir "$dir")
        [[ -s "$BENCH_IDS_FILE" ]] || registrant_ids "$BENCH_TOKEN" "$BENCH_IDS_FILE" 5000
    else
        start_bare "$BARE_URL" "$WORK/$backend-bare-$round.log"
        export BENCH_TOKEN=none BENCH_IDS_FILE="$dir/bare-ids.txt" BENCH_READ_PATH=/people/ BENCH_LABEL="bare-$backend"
    fi
    measured=$(wrk_read "$CONNECTIONS" "$SECONDS_EACH" "$WORK/wrk.txt")
    stop_server
    echo "$server backend=$backend round=$round c=$CONNECTIONS $measured" | tee -a "$WORK/results.txt"
}

for backend in $BACKENDS; do
    dir="$WORK/$backend"
    mkdir -p "$dir"
    demo_database "$backend" "$dir" vigil_bare
    # The bare stack's own tables (bare_*) sit beside Vigil's in the PostgreSQL database, and in
    # a file of their own on SQLite.
    if [[ "$backend" == postgres ]]; then BARE_URL=$DB_URL; else BARE_URL="sqlite://$dir/bare.db?mode=rwc"; fi
    log "$backend: importing $REGISTRANTS registrants"
    import_register "$dir" "$WORK/register.csv"
    for round in $(seq 1 "$ROUNDS"); do
        if ((round % 2)); then order="vigil bare"; else order="bare vigil"; fi
        for server in $order; do phase "$backend" "$server" "$round"; done
    done
    drop_pg_db
done

log "commit $(git -C "$REPO" describe --always --dirty), $(nproc) cores, $STAMP"
python3 - "$WORK/results.txt" <<'PY'
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in l.split()[1:]) | {"server": l.split()[0]} for l in open(sys.argv[1])]
def ms(v):
    return float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000
print("| backend | server | median reads/s | median p50 | median p99 | median server CPU per read | median machine CPU per read | rounds |")
print("|---|---|---|---|---|---|---|---|")
rates = {}
for backend in dict.fromkeys(r["backend"] for r in rows):
    for server in ("vigil", "bare"):
        mine = [r for r in rows if r["server"] == server and r["backend"] == backend]
        rate = statistics.median(float(r["rate"]) for r in mine)
        rates[(backend, server)] = rate
        p50 = statistics.median(ms(r["p50"]) for r in mine)
        p99 = statistics.median(ms(r["p99"]) for r in mine)
        cpu = statistics.median(float(r["cpu_us_per_read"]) for r in mine)
        machine = statistics.median(float(r["machine_us_per_read"]) for r in mine)
        print(f"| {backend} | {server} | {rate:,.0f} | {p50:.1f} ms | {p99:.1f} ms | {cpu:,.0f} µs | {machine:,.0f} µs | {len(mine)} |")
for backend in dict.fromkeys(r["backend"] for r in rows):
    print(f"{backend}: Vigil's audited read is {rates[(backend, 'vigil')] / rates[(backend, 'bare')]:.2f} of the bare stack's")
PY
