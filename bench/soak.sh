#!/usr/bin/env bash
# Soak test (catalogue P06): the service under steady load for an hour, watching for leaks.
#
#   CARGO_TARGET_DIR=/work/bench-target bench/soak.sh                 # 1 h on PostgreSQL
#   BENCH_SOAK_SECONDS=300 BENCH_BACKENDS=sqlite bench/soak.sh        # a short run
#
# It imports BENCH_REGISTRANTS synthetic registrants, starts `vigil demo` on them (scheduled
# jobs, audit sealing and checkpoint-free defaults included), and runs wrk in back-to-back
# slices of audited registrant reads (each decrypts a registrant and writes an audit entry).
# After every slice it samples the server's resident memory, threads and open file
# descriptors, and on PostgreSQL the connections the service holds. Stable means: RSS levels
# off, threads and descriptors do not grow, the pool stays within its size, no request fails.
#
# Settings: BENCH_SOAK_SECONDS (3600), BENCH_SLICE (60), BENCH_CONNECTIONS (4),
# BENCH_REGISTRANTS (10000), BENCH_BACKENDS ("postgres"), BENCH_PG_URL, BENCH_PORT (18083).

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO/bench"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
SOAK=${BENCH_SOAK_SECONDS:-3600}
SLICE=${BENCH_SLICE:-60}
CONNECTIONS=${BENCH_CONNECTIONS:-4}
REGISTRANTS=${BENCH_REGISTRANTS:-10000}
BACKENDS=${BENCH_BACKENDS:-postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18083}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
BASE="http://127.0.0.1:$PORT"

require_loopback_pg
require_positive "$SOAK" "$SLICE" "$CONNECTIONS" "$REGISTRANTS" "$PORT"
require_tools
take_lock
build_release --bin vigil --example synthetic_register
BIN="$OUT/vigil"
GEN="$OUT/examples/synthetic_register"
VERSION=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)

WORK=$(mktemp -d /tmp/vigil-soak.XXXXXX)
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

"$GEN" "$REGISTRANTS" 1 "$WORK/register.csv" "$WORK/reports.jsonl"

status_field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }

soak_backend() {
    local backend=$1 dir="$WORK/$1"
    mkdir -p "$dir"
    demo_database "$backend" "$dir" vigil_soak
    import_register "$dir" "$WORK/register.csv"
    start_demo "$dir" "$dir/server.log" "${DEMO_ARGS[@]}"
    local token
    token=$("$BIN" dev-token --role ppo --org met --subject soak-reader --data-dir "$dir" --ttl-minutes 1440)
    registrant_ids "$token" "$WORK/ids.txt" 500
    echo "slice,elapsed_s,requests,non2xx,p99_ms,rss_kib,threads,fds,db_connections" >"$dir/samples.csv"
    local started slice=0 line
    started=$(date +%s)
    while (($(date +%s) - started < SOAK)); do
        slice=$((slice + 1))
        BENCH_TOKEN="$token" BENCH_LABEL="soak-$slice" BENCH_IDS_FILE="$WORK/ids.txt" \
            wrk -t2 -c"$CONNECTIONS" -d"${SLICE}s" --timeout 30s --latency -s "$BENCH_DIR/read.lua" "$BASE" >"$dir/wrk.out" 2>&1 || die "wrk failed: $(cat "$dir/wrk.out")"
        line=$(grep '^BENCH_RESULT ' "$dir/wrk.out" | tail -1) || die "wrk printed no result"
        local conns=""
        [[ "$backend" != postgres ]] || conns=$(psql "$PG_URL/postgres" -qAtX -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$PG_DB'")
        printf '%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$slice" "$(($(date +%s) - started))" "$(field requests "$line")" "$(field non2xx "$line")" \
            "$(field p99_ms "$line")" "$(status_field VmRSS)" "$(status_field Threads)" "$(ls "/proc/$SERVER_PID/fd" | wc -l)" "$conns" >>"$dir/samples.csv"
        log "$backend slice $slice: $(tail -1 "$dir/samples.csv")"
    done
    echo
    echo "Soak $backend ($STAMP, vigil $VERSION, $(nproc) cores, ${SOAK}s, $CONNECTIONS connections):"
    python3 - "$dir/samples.csv" "$(status_field VmHWM)" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
n = len(rows)
def col(name):
    return [float(r[name]) for r in rows if r[name] not in ("", None)]
rss = col("rss_kib")
first, last = rss[: max(1, n // 10)], rss[-max(1, n // 10):]
print(f"| slices | {n} x {int(col('elapsed_s')[0])} s |")
print(f"| requests / non-2xx | {int(sum(col('requests')))} / {int(sum(col('non2xx')))} |")
print(f"| p99 per slice: median, worst | {statistics.median(col('p99_ms')):.1f} ms, {max(col('p99_ms')):.1f} ms |")
print(f"| RSS: first tenth median, last tenth median, peak (VmHWM) | {statistics.median(first)/1024:.1f} MiB, {statistics.median(last)/1024:.1f} MiB, {int(sys.argv[2])/1024:.1f} MiB |")
print(f"| threads: min / max | {int(min(col('threads')))} / {int(max(col('threads')))} |")
print(f"| open fds: min / max | {int(min(col('fds')))} / {int(max(col('fds')))} |")
conns = col("db_connections")
if conns:
    print(f"| PostgreSQL connections: min / max | {int(min(conns))} / {int(max(conns))} |")
PY
    stop_server
    drop_pg_db
}

log "vigil $VERSION; $(nproc) cores; soak ${SOAK}s"
for backend in $BACKENDS; do
    case "$backend" in sqlite|postgres) soak_backend "$backend" ;; *) die "unknown backend $backend" ;; esac
done
