#!/usr/bin/env bash
# SQLite's writing connection (issue 18): audited reads, whose audit entries are the writes, with
# the request path's writes on one connection of their own (this build) against the same build
# writing through the shared pool (a baseline binary built from this commit with the writer
# commit reverted), in one run, on the same register, alternating.
#
#   git worktree add /tmp/wt-base HEAD && git -C /tmp/wt-base revert --no-commit <writer commit>
#   CARGO_TARGET_DIR=/tmp/wt-base/target cargo build --release --bin vigil --manifest-path /tmp/wt-base/Cargo.toml
#   BENCH_BASELINE_BIN=/tmp/wt-base/target/release/vigil bench/writer.sh
#
# It imports BENCH_REGISTRANTS synthetic registrants with `vigil import`, then BENCH_ROUNDS times,
# in turn, starts `vigil demo` from each binary on that data folder and runs wrk GET
# /api/v1/registrants/{id} (decrypted, audited) at each of BENCH_CONNECTIONS for BENCH_SECONDS.
# Prints requests/s, p50/p99/max and the server's CPU per read for each phase, then the medians
# per binary and connection count. PostgreSQL is not run: there the writer is the shared pool.
#
# Settings: BENCH_BASELINE_BIN (required), BENCH_REGISTRANTS (20000), BENCH_SECONDS (20),
# BENCH_ROUNDS (3), BENCH_CONNECTIONS ("32"), BENCH_PORT (18089), CARGO_TARGET_DIR.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
source "$REPO/bench/lib.sh"
BASELINE=${BENCH_BASELINE_BIN:?set BENCH_BASELINE_BIN to the baseline vigil binary}
REGISTRANTS=${BENCH_REGISTRANTS:-20000}
SECONDS_EACH=${BENCH_SECONDS:-20}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18089}
BASE="http://127.0.0.1:$PORT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
[[ -x "$BASELINE" ]] || die "BENCH_BASELINE_BIN $BASELINE is not an executable"
require_positive "$REGISTRANTS" "$SECONDS_EACH" "$ROUNDS" "$PORT"
require_tools
take_lock
build_release --bin vigil --example synthetic_register
DEDICATED="$OUT/vigil"
BIN=$DEDICATED
GEN="$OUT/examples/synthetic_register"
WORK=$(mktemp -d /tmp/vigil-writer.XXXXXX)
cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT

log "generating $REGISTRANTS registrants"
"$GEN" "$REGISTRANTS" 0 "$WORK/register.csv" "$WORK/reports.jsonl"
dir="$WORK/sqlite"
mkdir -p "$dir"
demo_database sqlite "$dir" vigil_writer
log "sqlite: importing $REGISTRANTS registrants"
import_register "$dir" "$WORK/register.csv"

# phase MODE ROUND CONNECTIONS: one wrk run against `vigil demo` from the binary of MODE.
phase() {
    local mode=$1 round=$2 connections=$3
    case "$mode" in
        dedicated) BIN=$DEDICATED ;;
        shared) BIN=$BASELINE ;;
        *) die "unknown mode $mode" ;;
    esac
    RUST_LOG="info,sqlx=warn,sea_orm=warn,tokio_cron_scheduler=warn,vigil::access=off" start_demo "$dir" "$WORK/server-$mode-$round-$connections.log"
    export BENCH_TOKEN BENCH_IDS_FILE="$dir/ids.txt" BENCH_LABEL="read-$mode"
    BENCH_TOKEN=$("$BIN" dev-token --role ppo --org met --data-dir "$dir")
    [[ -s "$BENCH_IDS_FILE" ]] || registrant_ids "$BENCH_TOKEN" "$BENCH_IDS_FILE" 5000
    local measured
    measured=$(wrk_read "$connections" "$SECONDS_EACH" "$WORK/wrk.txt")
    stop_server
    echo "$mode round=$round c=$connections $measured" | tee -a "$WORK/results.txt"
}

for round in $(seq 1 "$ROUNDS"); do
    for connections in $CONNECTIONS; do
        # Alternate which goes first, so a drift in the machine's load falls on both.
        if ((round % 2)); then order="dedicated shared"; else order="shared dedicated"; fi
        for mode in $order; do phase "$mode" "$round" "$connections"; done
    done
done

python3 - "$WORK/results.txt" <<'PY'
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in l.split()[1:]) | {"mode": l.split()[0]} for l in open(sys.argv[1])]
def ms(v):
    return float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000
for c in dict.fromkeys(r["c"] for r in rows):
    for mode in ("dedicated", "shared"):
        mine = [r for r in rows if r["mode"] == mode and r["c"] == c]
        rate = statistics.median(float(r["rate"]) for r in mine)
        p99 = statistics.median(ms(r["p99"]) for r in mine)
        cpu = statistics.median(float(r["cpu_us_per_read"]) for r in mine)
        print(f"c={c} {mode}: median reads/s {rate:.0f}, median p99 {p99:.1f} ms, median server CPU per read {cpu:.0f} us ({len(mine)} rounds)")
PY
