#!/usr/bin/env bash
# Register check benchmark (issue 4): bulk import of a large synthetic register, then register
# checks through the API, on SQLite and on PostgreSQL.
#
#   bench/checks.sh                                                  # full run: 1,000,000 registrants
#   BENCH_REGISTRANTS=20000 BENCH_SECONDS=5 bench/checks.sh          # quick check that the script works
#
# For each backend it
#   1. generates the register and crime reports with the synthetic generator (examples/synthetic_register.rs:
#      the same people and damage as the linkage accuracy benchmark; half the reports are about people
#      who are not registered);
#   2. imports the register with `vigil import registrants` and times it (wall clock, peak RSS);
#   3. starts `vigil demo` on that database (127.0.0.1 only), records BENCH_REPORTS reports through the API;
#   4. runs register checks on random reports with wrk: 1 connection (single-report latency p50/p99), then
#      BENCH_CONNECTIONS connections (checks per second), BENCH_ROUNDS times each;
# and prints the server's peak RSS (VmHWM). Everything it creates is removed on exit.
#
# Settings (environment):
#   BENCH_REGISTRANTS  registrants to import                 (1000000)
#   BENCH_REPORTS      crime reports to record and check      (2000)
#   BENCH_SECONDS      duration of each wrk phase             (30)
#   BENCH_ROUNDS       rounds of both phases                  (3)
#   BENCH_CONNECTIONS  connections for the throughput phase   (16)
#   BENCH_BACKENDS     which backends, in order               ("sqlite postgres")
#   BENCH_PG_URL       PostgreSQL server, loopback only       (postgres://postgres@127.0.0.1:5432)
#   BENCH_PORT         port for the service on 127.0.0.1      (18081)
#   BENCH_BATCH        rows per import transaction            (500)
#   BENCH_LOCK         lock file that keeps benchmarks apart  (/tmp/vigil-bench.lock)
#   CARGO_TARGET_DIR   where the release binaries are built   (target)

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO/bench"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
REGISTRANTS=${BENCH_REGISTRANTS:-1000000}
REPORTS=${BENCH_REPORTS:-2000}
SECONDS_PER_PHASE=${BENCH_SECONDS:-30}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18081}
BATCH=${BENCH_BATCH:-500}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
BASE="http://127.0.0.1:$PORT"

require_loopback_pg
require_positive "$REGISTRANTS" "$REPORTS" "$SECONDS_PER_PHASE" "$ROUNDS" "$CONNECTIONS" "$PORT" "$BATCH"
require_tools
[[ "$BACKENDS" != *postgres* ]] || command -v psql >/dev/null || die "psql is required"
take_lock
build_release --bin vigil --example synthetic_register
BIN="$OUT/vigil"
GEN="$OUT/examples/synthetic_register"
VERSION=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)

WORK=$(mktemp -d /tmp/vigil-checks.XXXXXX)
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
SUMMARY=()

log "generating $REGISTRANTS registrants and $REPORTS reports"
"$GEN" "$REGISTRANTS" "$REPORTS" "$WORK/register.csv" "$WORK/reports.jsonl"

bench_backend() {
    local backend=$1 dir="$WORK/$1" url
    mkdir -p "$dir"
    if [[ "$backend" == postgres ]]; then
        create_pg_db "vigil_checks_${STAMP,,}_$$"
        url="$PG_URL/$PG_DB"
    else
        url="sqlite://$dir/vigil.db?mode=rwc"
    fi
    "$BIN" keys generate --out "$dir/keyring.json" >/dev/null

    log "$backend: importing $REGISTRANTS registrants (batches of $BATCH)"
    local started elapsed
    started=$(date +%s.%N)
    VIGIL__DATABASE__URL="$url" VIGIL__KEYS__FILE="$dir/keyring.json" /usr/bin/time -f "%M" -o "$dir/import.rss" \
        "$BIN" import registrants "$WORK/register.csv" --org met --operator bench --no-duplicate-check --batch "$BATCH" >"$dir/import.log" 2>&1 ||
        { tail -20 "$dir/import.log" >&2; die "$backend: import failed"; }
    elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    log "$backend: imported in ${elapsed}s ($(awk -v n="$REGISTRANTS" -v s="$elapsed" 'BEGIN { printf "%.0f", n / s }')/s), import peak RSS $(( $(cat "$dir/import.rss") / 1024 )) MiB"
    SUMMARY+=("| $backend | import | $REGISTRANTS registrants | ${elapsed} s | $(awk -v n="$REGISTRANTS" -v s="$elapsed" 'BEGIN { printf "%.0f", n / s }') rows/s | | peak RSS $(( $(cat "$dir/import.rss") / 1024 )) MiB |")
    if [[ "$backend" == postgres ]]; then
        # After a bulk load PostgreSQL's autovacuum visits every new row and its checkpointer
        # flushes the loaded pages, for minutes: work an operator would let finish (or run, as
        # here) before opening the service, not part of a register check. Timed separately.
        local vacuum_started
        vacuum_started=$(date +%s.%N)
        psql "$url" -qAtX -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null
        log "$backend: VACUUM (ANALYZE) and CHECKPOINT after the import took $(awk -v s="$vacuum_started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
    fi

    local url_args=()
    [[ "$backend" != postgres ]] || url_args=(--database-url "$url")
    start_demo "$dir" "$dir/server.log" --checks-per-hour 1000000000 "${url_args[@]}"
    # Many users, each request picking one at random: the check limit and its lock are per user,
    # as they are for real officers, so 16 clients sharing 16 users would queue on each other.
    local token n
    for n in $(seq 1 $((CONNECTIONS * 16))); do
        "$BIN" dev-token --role ppo --org met --subject "bench-officer-$n" --data-dir "$dir" --ttl-minutes 600
    done >"$dir/tokens.txt"
    token=$(head -1 "$dir/tokens.txt")

    log "$backend: recording $REPORTS crime reports"
    python3 - "$BASE" "$token" "$WORK/reports.jsonl" "$dir/report-ids.txt" <<'PY'
import json, sys, urllib.request
base, token, source, out = sys.argv[1:]
with open(source) as lines, open(out, "w") as ids:
    for line in lines:
        req = urllib.request.Request(base + "/api/v1/reports", data=line.encode(), method="POST",
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as resp:
            ids.write(json.load(resp)["id"] + "\n")
PY

    local round connections out line
    for round in $(seq 1 "$ROUNDS"); do
        for connections in 1 "$CONNECTIONS"; do
            out="$dir/check.$connections.$round.out"
            # PostgreSQL's default autovacuum re-analyzes tables as they grow, and that
            # invalidates plans cached on the pooled connections. Where it is off (as on this
            # project's machine), ANALYZE before each phase does what it would have done.
            if [[ "$backend" == postgres && "$(psql "$url" -qAtX -c 'SHOW autovacuum')" == off ]]; then
                log "$backend: autovacuum is off here; ANALYZE before the phase"
                psql "$url" -qAtX -v ON_ERROR_STOP=1 -c "ANALYZE" >/dev/null
            fi
            log "$backend: checks with $connections connection(s) for ${SECONDS_PER_PHASE}s (round $round of $ROUNDS)"
            BENCH_TOKEN="$token" BENCH_LABEL="$backend/$connections" BENCH_IDS_FILE="$dir/report-ids.txt" BENCH_TOKENS_FILE="$dir/tokens.txt" \
                wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${SECONDS_PER_PHASE}s" --timeout 30s --latency \
                -s "$BENCH_DIR/check.lua" "$BASE" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
            line=$(grep '^BENCH_RESULT ' "$out" | tail -1) || die "wrk printed no result"
            [[ "$(field non2xx "$line")" == 0 ]] || { grep BENCH_FIRST_ERROR "$out" >&2; die "$backend: non-2xx responses: $line"; }
            SUMMARY+=("| $backend | checks, $connections conn. | round $round | $(field requests "$line") checks | $(field rps "$line") /s | p50 $(field p50_ms "$line") ms | p99 $(field p99_ms "$line") ms |")
            log "${SUMMARY[-1]}"
        done
    done
    # On SQLite the database file is memory-mapped, so resident pages of it count in RSS: they
    # are the operating system's file cache, shared and reclaimable. RssAnon is the heap.
    local rss anon file
    rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
    anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$SERVER_PID/status")
    file=$(awk '/^RssFile:/ { print $2 }' "/proc/$SERVER_PID/status")
    SUMMARY+=("| $backend | server | peak RSS $((rss / 1024)) MiB | at the end: anonymous $((anon / 1024)) MiB, file-backed $((file / 1024)) MiB | | | |")
    stop_server
    drop_pg_db
    rm -rf "$dir"
}

log "vigil $VERSION; $(nproc) cores; $REGISTRANTS registrants, $REPORTS reports, ${SECONDS_PER_PHASE}s phases, $ROUNDS rounds"
for backend in $BACKENDS; do
    case "$backend" in sqlite|postgres) bench_backend "$backend" ;; *) die "unknown backend $backend" ;; esac
done
echo
echo "Results ($STAMP, vigil $VERSION, $(nproc) cores):"
echo "| backend | phase | | count | rate | p50 | p99 |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${SUMMARY[@]}"
