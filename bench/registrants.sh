#!/usr/bin/env bash
# Registrant benchmark: audited, decrypted reads and creates against a register of synthetic
# registrants, on SQLite and on PostgreSQL, with wrk at 32 concurrent connections.
#
#   bench/registrants.sh                                        # full run (100,000 registrants, 30 s phases)
#   BENCH_REGISTRANTS=2000 BENCH_SECONDS=5 bench/registrants.sh # quick check that the script works
#
# It builds the release binary once, then for each backend starts `vigil demo` on 127.0.0.1 with an empty
# register, then
#   1. seed    - creates BENCH_REGISTRANTS registrants through the API (wrk POST, exact count),
#                which is also the create measurement while the register grows;
#   2. create  - wrk POST for BENCH_SECONDS on the seeded register;
#   3. read    - wrk GET /api/v1/registrants/{id} for BENCH_SECONDS, random existing ids
#                (each read decrypts the registrant and writes an audit entry in its transaction);
#   2 and 3 are repeated BENCH_ROUNDS times;
# and prints requests/s, p50/p99 (wrk --latency), non-2xx counts, the server's peak RSS (VmHWM)
# and CPU use during each phase (the server's, the machine's, and other processes').
# Everything it creates (temp folder, PostgreSQL database, server) is removed on exit.
#
# Settings (environment):
#   BENCH_REGISTRANTS   registrants to seed                      (100000)
#   BENCH_SECONDS       duration of the create and read phases   (30)
#   BENCH_ROUNDS        create+read rounds on the seeded register; the summary gives medians (3)
#   BENCH_CONNECTIONS   wrk connections                          (32)
#   BENCH_THREADS       wrk threads                              (nproc)
#   BENCH_BACKENDS      which backends, in order                 ("sqlite postgres")
#   BENCH_PG_URL        PostgreSQL server, loopback only         (postgres://postgres@127.0.0.1:5432)
#   BENCH_PORT          port for the service on 127.0.0.1        (18080)
#   BENCH_SEED_MAX_SECONDS  upper bound on the seeding phase     (3600)
#   BENCH_QUIET_WAIT    before each phase, wait up to this many seconds for the machine to be
#                       at most 25% busy (it is shared; 0 = do not wait)          (180)
#   BENCH_PG_SYNCHRONOUS_COMMIT  diagnostic: set synchronous_commit (e.g. off) on the benchmark
#                       database only, to see what the per-commit WAL flush costs   (unset)
#   BENCH_NOTE          free text recorded with each result row                     (unset)
#   BENCH_VERSION       what to call the code under test        (git describe --always --dirty)
#   BENCH_LOCK, BENCH_LOCK_WAIT  lock file that keeps benchmarks from overlapping, and how long
#                       to wait for it                           (/tmp/vigil-bench.lock, 3600)
#   BENCH_RESULTS       tab-separated results are appended here  (/tmp/vigil-bench-results-<time>.tsv)
#   CARGO_TARGET_DIR    where the release binary is built        (target)

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO/bench"
REGISTRANTS=${BENCH_REGISTRANTS:-100000}
SECONDS_PER_PHASE=${BENCH_SECONDS:-30}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-$(nproc)}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18080}
SEED_MAX_SECONDS=${BENCH_SEED_MAX_SECONDS:-3600}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=${BENCH_RESULTS:-/tmp/vigil-bench-results-$STAMP.tsv}
PG_SYNC_COMMIT=${BENCH_PG_SYNCHRONOUS_COMMIT:-}
NOTE=${BENCH_NOTE:-}
[[ -z "$PG_SYNC_COMMIT" ]] || NOTE="${NOTE:+$NOTE; }pg synchronous_commit=$PG_SYNC_COMMIT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

BASE="http://127.0.0.1:$PORT"
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Loopback only: this script never sends load anywhere else.
[[ "$PG_SYNC_COMMIT" =~ ^(|on|off|local|remote_write|remote_apply)$ ]] || die "BENCH_PG_SYNCHRONOUS_COMMIT must be on, off, local, remote_write or remote_apply"
case "$PG_URL" in
    postgres://*@127.0.0.1:*|postgres://*@127.0.0.1|postgresql://*@127.0.0.1:*|postgresql://*@127.0.0.1) ;;
    *) die "BENCH_PG_URL must point at 127.0.0.1 (got $PG_URL)" ;;
esac
for n in "$REGISTRANTS" "$SECONDS_PER_PHASE" "$ROUNDS" "$CONNECTIONS" "$THREADS" "$PORT" "$SEED_MAX_SECONDS"; do
    [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || die "settings must be positive integers (got '$n')"
done

# --- tools -------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    log "installing wrk"
    if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq wrk >/dev/null
fi
for tool in wrk curl cargo flock; do command -v "$tool" >/dev/null || die "$tool is required"; done
[[ "$BACKENDS" == *sqlite* ]] && { command -v sqlite3 >/dev/null || die "sqlite3 is required"; }
[[ "$BACKENDS" == *postgres* ]] && { command -v psql >/dev/null || die "psql is required"; }

# One benchmark at a time on this machine: a second one (or its build) would skew both.
LOCK=${BENCH_LOCK:-/tmp/vigil-bench.lock}
exec 9>>"$LOCK"
if ! flock -n 9; then
    log "waiting (at most ${BENCH_LOCK_WAIT:-3600}s) for another benchmark holding $LOCK"
    flock -w "${BENCH_LOCK_WAIT:-3600}" 9 || die "another benchmark still holds $LOCK"
fi

log "building the release binary (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
(cd "$REPO" && cargo build --release --bin vigil)
case "$CARGO_TARGET_DIR" in /*) BIN="$CARGO_TARGET_DIR/release/vigil" ;; *) BIN="$REPO/$CARGO_TARGET_DIR/release/vigil" ;; esac
[[ -x "$BIN" ]] || die "no binary at $BIN"
VERSION=${BENCH_VERSION:-$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)}

# --- state and cleanup -------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/vigil-bench.XXXXXX)
SERVER_PID=""
WRK_PID=""
PG_DB=""

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

drop_pg_db() {
    [[ -n "$PG_DB" ]] || return 0
    psql "$PG_URL/postgres" -qAtX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null || log "could not drop database $PG_DB"
    PG_DB=""
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$WRK_PID" ]] && kill -0 "$WRK_PID" 2>/dev/null; then kill -TERM "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
    if [[ -n "$SAMPLER_PID" ]] && kill -0 "$SAMPLER_PID" 2>/dev/null; then kill -TERM "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; fi
    stop_server
    drop_pg_db
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted (SIGINT)"; exit 130' INT
trap 'log "terminated (SIGTERM)"; exit 143' TERM

# --- helpers -----------------------------------------------------------------------------------
# sql BACKEND DATA_DIR QUERY: one value per line.
sql() {
    local backend=$1 dir=$2 query=$3
    if [[ "$backend" == sqlite ]]; then
        sqlite3 -batch -noheader "$dir/vigil.db" "$query"
    else
        psql "$PG_URL/$PG_DB" -qAtX -v ON_ERROR_STOP=1 -c "$query"
    fi
}

registrant_count() { sql "$1" "$2" "SELECT count(*) FROM registrants"; }

write_ids() {
    local backend=$1 dir=$2 out=$3
    if [[ "$backend" == sqlite ]]; then
        # sqlx stores UUIDs as 16-byte blobs in SQLite; print them in the usual text form.
        sql sqlite "$dir" "SELECT CASE typeof(id) WHEN 'blob' THEN lower(substr(hex(id),1,8)||'-'||substr(hex(id),9,4)||'-'||substr(hex(id),13,4)||'-'||substr(hex(id),17,4)||'-'||substr(hex(id),21)) ELSE id END FROM registrants" >"$out"
    else
        sql postgres "$dir" "SELECT id FROM registrants" >"$out"
    fi
}

# CPU accounting around each phase, in clock ticks: the server process; the postgres processes
# that work for this benchmark (backends connected to its database, plus the shared WAL writer,
# checkpointer and background writer), counted per process so that connections opened or closed
# during the phase do not skew the sum; wrk (polled while it runs); and the whole machine
# (/proc/stat). The machine's busy time minus those three is what other work on this shared
# machine took (other databases on the same PostgreSQL, builds, tests, kernel threads).
CLK_TCK=$(getconf CLK_TCK)
machine_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat; }
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || true; }
pg_ticks_list() { # "pid ticks" per postgres process working for the benchmark database
    [[ -n "$PG_DB" ]] || return 0
    local p t
    for p in $(pgrep -x postgres || true); do
        if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qE " $PG_DB |walwriter|checkpointer|background writer"; then
            t=$(proc_ticks "$p")
            [[ -z "$t" ]] || echo "$p $t"
        fi
    done
}
WRK_TICKS=0
wrk_poll() { # remembers wrk's CPU ticks while it runs (they are gone once it exits)
    local t
    t=$(proc_ticks "$WRK_PID")
    [[ -z "$t" ]] || WRK_TICKS=$t
}
cpu_mark() {
    MARK_SERVER=$(proc_ticks "$SERVER_PID")
    MARK_PG=$(pg_ticks_list)
    read -r MARK_TOTAL MARK_IDLE < <(machine_ticks)
    MARK_TIME=$(date +%s.%N)
    WRK_TICKS=0
}
cpu_since_mark() { # prints "server% postgres% wrk% busy% other%": the first three in % of one core, the last two in % of the machine
    local now server pg total idle
    now=$(date +%s.%N)
    server=$(( $(proc_ticks "$SERVER_PID") - MARK_SERVER ))
    # Per process: ticks now minus ticks at the mark (0 for a process started since).
    pg=$(awk 'NR == FNR { then[$1] = $2; next } { d += $2 - ($1 in then ? then[$1] : 0) } END { print d + 0 }' \
        <(printf '%s\n' "$MARK_PG") <(pg_ticks_list; true))
    read -r total idle < <(machine_ticks)
    awk -v s="$server" -v p="$pg" -v w="$WRK_TICKS" -v dtot="$((total - MARK_TOTAL))" -v didle="$((idle - MARK_IDLE))" \
        -v hz="$CLK_TCK" -v dt="$(awk -v x="$now" -v y="$MARK_TIME" 'BEGIN { print x - y }')" \
        'BEGIN { tot = dtot > 0 ? dtot : 1; busy = dtot - didle; other = busy - s - p - w; if (other < 0) other = 0
                 printf "%.0f %.0f %.0f %.0f %.0f", 100 * s / hz / dt, 100 * p / hz / dt, 100 * w / hz / dt, 100 * busy / tot, 100 * other / tot }'
}

# PostgreSQL only: samples what the benchmark database's backends are doing (twice a second while
# wrk runs), to tell lock waits, commit flushes (IO:WALSync) and CPU apart.
SAMPLER_PID=""
pg_sampler_start() {
    [[ -n "$PG_DB" ]] || return 0
    local out=$1 wrk=$WRK_PID
    (
        while kill -0 "$wrk" 2>/dev/null; do
            psql "$PG_URL/postgres" -qAtX -c "SELECT state || coalesce(' ' || wait_event_type || ':' || wait_event, ' (on CPU)') FROM pg_stat_activity WHERE datname = '$PG_DB' AND state <> 'idle' AND pid <> pg_backend_pid()" 2>/dev/null || true
            sleep 0.5
        done
    ) >"$out" &
    SAMPLER_PID=$!
}
pg_sampler_report() {
    [[ -n "$SAMPLER_PID" ]] || return 0
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    local total
    total=$(wc -l <"$1")
    [[ "$total" -gt 0 ]] || return 0
    log "postgres backends while $2 ran ($total samples of non-idle backends):"
    sort "$1" | uniq -c | sort -rn | head -6 | awk -v t="$total" '{ c = $1; $1 = ""; printf "    %5.1f%% %s\n", 100 * c / t, $0 }' >&2
}

# Waits (at most BENCH_QUIET_WAIT seconds) until the machine is mostly idle before a phase, so a
# compile started by someone else is less likely to overlap a measurement. Logs what it saw.
QUIET_WAIT=${BENCH_QUIET_WAIT:-180}
wait_quiet() {
    local deadline=$((SECONDS + QUIET_WAIT)) t0 i0 t1 i1 busy
    while :; do
        read -r t0 i0 < <(machine_ticks); sleep 2; read -r t1 i1 < <(machine_ticks)
        busy=$(( t1 > t0 ? 100 * ((t1 - t0) - (i1 - i0)) / (t1 - t0) : 0 ))
        if [[ $busy -le 25 ]]; then return 0; fi
        if [[ $SECONDS -ge $deadline ]]; then log "machine still ${busy}% busy after ${QUIET_WAIT}s; measuring anyway"; return 0; fi
        sleep 3
    done
}

peak_rss_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }

field() { # field NAME LINE
    sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

[[ -s "$RESULTS" ]] || printf 'run\tversion\tbackend\tphase\tround\trequests\tseconds\trps\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tnon2xx\tsocket_errors\tstatuses\tpeak_rss_kb\tregistrants_after\tserver_cpu_pct\tpostgres_cpu_pct\twrk_cpu_pct\tmachine_busy_pct\tother_cpu_pct\tserver_cpu_ms_per_req\tpostgres_cpu_ms_per_req\tloadavg_before\tnote\n' >>"$RESULTS"
SUMMARY=()
FAILURES=0

# run_wrk LABEL OUTFILE SECONDS SCRIPT [ENV=VALUE...]: starts a bounded wrk run against the service.
run_wrk() {
    local label=$1 out=$2 seconds=$3 script=$4
    shift 4
    wait_quiet
    MARK_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
    cpu_mark
    env BENCH_TOKEN="$TOKEN" BENCH_LABEL="$label" BENCH_THREADS="$THREADS" "$@" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 30s --latency -s "$BENCH_DIR/$script" "$BASE" >"$out" 2>&1 &
    WRK_PID=$!
    pg_sampler_start "$out.pg"
}

# finish_wrk BACKEND PHASE ROUND OUTFILE DATA_DIR: waits for wrk, prints its report and records the result.
finish_wrk() {
    local backend=$1 phase=$2 round=$3 out=$4 dir=$5 line rss count cpu per_req
    while kill -0 "$WRK_PID" 2>/dev/null; do wrk_poll; sleep 0.2; done
    wait "$WRK_PID" || die "$backend $phase: wrk failed: $(cat "$out")"
    WRK_PID=""
    cpu=$(cpu_since_mark)
    cat "$out"
    pg_sampler_report "$out.pg" "$phase"
    line=$(grep '^BENCH_RESULT ' "$out" | tail -1) || die "$backend $phase: wrk printed no result"
    rss=$(peak_rss_kb)
    count=$(registrant_count "$backend" "$dir")
    local -a f
    read -r -a f <<<"$cpu"
    # CPU milliseconds per request, server and postgres (from the % of one core over the run).
    per_req=$(awk -v s="${f[0]}" -v p="${f[1]}" -v secs="$(field seconds "$line")" -v n="$(field requests "$line")" \
        'BEGIN { if (n > 0) printf "%.2f %.2f", s / 100 * secs * 1000 / n, p / 100 * secs * 1000 / n; else print "0 0" }')
    printf '%s\t' "$STAMP" "$VERSION" "$backend" "$phase" "$round" \
        "$(field requests "$line")" "$(field seconds "$line")" "$(field rps "$line")" "$(field p50_ms "$line")" \
        "$(field p90_ms "$line")" "$(field p99_ms "$line")" "$(field max_ms "$line")" "$(field non2xx "$line")" \
        "$(field socket_errors "$line")" "$(field statuses "$line")" "$rss" "$count" "${f[@]}" $per_req "$MARK_LOAD" >>"$RESULTS"
    printf '%s\n' "$NOTE" >>"$RESULTS"
    log "$backend $phase: CPU in % of one core: server ${f[0]}%, postgres ${f[1]}%, wrk ${f[2]}%; machine ${f[3]}% busy, ${f[4]}% of it by other processes (load before: $MARK_LOAD); CPU ms per request: server ${per_req% *}, postgres ${per_req#* }"
    SUMMARY+=("$(printf '| %-8s | %-6s | %5s | %8s | %8s | %8s | %8s | %6s | %7s | %8s | %7s | %6s | %5s | %5s | %6s |' "$backend" "$phase" "$round" \
        "$(field requests "$line")" "$(field rps "$line")" "$(field p50_ms "$line")" "$(field p99_ms "$line")" \
        "$(field non2xx "$line")" "$(field socket_errors "$line")" "$((rss / 1024))" "${f[@]}")")
    if [[ "$(field non2xx "$line")" != 0 || "$(field socket_errors "$line")" != 0 ]]; then
        log "WARNING: $backend $phase had non-2xx responses or socket errors: $line"
        grep '^BENCH_FIRST_ERROR' "$out" >&2 || true
        FAILURES=$((FAILURES + 1))
    fi
}

# --- one backend -------------------------------------------------------------------------------
bench_backend() {
    local backend=$1 dir="$WORK/$1" url_args=()
    mkdir -p "$dir"
    if [[ "$backend" == postgres ]]; then
        PG_DB="vigil_bench_${STAMP,,}_$$"
        psql "$PG_URL/postgres" -qAtX -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
        if [[ -n "$PG_SYNC_COMMIT" ]]; then
            # Diagnostic only: changes this benchmark database's default, nothing else on the server.
            psql "$PG_URL/postgres" -qAtX -v ON_ERROR_STOP=1 -c "ALTER DATABASE \"$PG_DB\" SET synchronous_commit = '$PG_SYNC_COMMIT'" >/dev/null
            log "postgres: synchronous_commit = $PG_SYNC_COMMIT for $PG_DB (diagnostic run, not the default configuration)"
        fi
        url_args=(--database-url "$PG_URL/$PG_DB")
    fi
    if curl -s -o /dev/null "$BASE/health/live"; then die "something already listens on 127.0.0.1:$PORT"; fi

    log "$backend: starting the service on $BASE"
    "$BIN" demo --data-dir "$dir" --port "$PORT" --registrants 0 "${url_args[@]}" >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 240); do
        curl -fs -o /dev/null "$BASE/health/ready" && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$dir/server.log" >&2; die "$backend: the service exited"; }
        sleep 0.5
    done
    curl -fs -o /dev/null "$BASE/health/ready" || die "$backend: the service did not become ready"
    TOKEN=$("$BIN" dev-token --role ppo --org met --data-dir "$dir" --ttl-minutes 600)

    # 1. Seed exactly REGISTRANTS registrants; the Lua threads mark their share done and go idle,
    #    then wrk is stopped with SIGINT (its -d is only an upper bound).
    log "$backend: seeding $REGISTRANTS registrants through the API ($CONNECTIONS connections)"
    local marks="$dir/marks" out="$dir/seed.out"
    mkdir -p "$marks"
    run_wrk "$backend/seed" "$out" "$SEED_MAX_SECONDS" create.lua BENCH_QUOTA="$REGISTRANTS" BENCH_MARK_DIR="$marks" BENCH_OFFSET=0
    while kill -0 "$WRK_PID" 2>/dev/null; do
        wrk_poll
        [[ $(find "$marks" -name 'done.*' | wc -l) -ge "$THREADS" ]] && { kill -INT "$WRK_PID" 2>/dev/null || true; break; }
        sleep 0.2
    done
    finish_wrk "$backend" seed 1 "$out" "$dir"
    local count
    count=$(registrant_count "$backend" "$dir")
    [[ "$count" -ge "$REGISTRANTS" ]] || die "$backend: only $count registrants after seeding (wanted $REGISTRANTS)"
    log "$backend: $count registrants in the register"

    local round sample
    for round in $(seq 1 "$ROUNDS"); do
        # 2. Creates on the seeded register (bodies numbered apart from the seed and other rounds).
        log "$backend: creates for ${SECONDS_PER_PHASE}s (round $round of $ROUNDS)"
        out="$dir/create.$round.out"
        run_wrk "$backend/create" "$out" "$SECONDS_PER_PHASE" create.lua BENCH_OFFSET=$((round * 10000000))
        finish_wrk "$backend" create "$round" "$out" "$dir"

        # 3. Reads of random existing registrants.
        write_ids "$backend" "$dir" "$dir/ids.txt"
        sample=$(head -1 "$dir/ids.txt")
        curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/registrants/$sample" || die "$backend: reading $sample failed"
        log "$backend: reads for ${SECONDS_PER_PHASE}s over $(wc -l <"$dir/ids.txt") ids (round $round of $ROUNDS)"
        out="$dir/read.$round.out"
        run_wrk "$backend/read" "$out" "$SECONDS_PER_PHASE" read.lua BENCH_IDS_FILE="$dir/ids.txt"
        finish_wrk "$backend" read "$round" "$out" "$dir"
    done

    # Audit entries written during the run, and how many the background sealer has not chained yet.
    sleep 2
    log "$backend: audit entries $(sql "$backend" "$dir" "SELECT count(*) FROM audit_events"), unchained $(sql "$backend" "$dir" "SELECT count(*) FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_seq = e.seq)")"
    if [[ "$backend" == sqlite ]]; then
        log "$backend: database files $(du -sh "$dir"/vigil.db* | awk '{ n = split($2, p, "/"); printf "%s %s  ", p[n], $1 }')"
    else
        log "$backend: database size $(sql postgres "$dir" "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    fi
    log "$backend: server peak RSS $(( $(peak_rss_kb) / 1024 )) MiB"
    stop_server
    drop_pg_db
    rm -rf "$dir"
}

log "vigil $VERSION (working tree of $REPO; -dirty means uncommitted changes were built)"
log "machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') RAM; $(wrk --version 2>&1 | head -1)"
log "settings: $REGISTRANTS registrants, ${SECONDS_PER_PHASE}s phases, $ROUNDS rounds, $CONNECTIONS connections, $THREADS wrk threads"
for backend in $BACKENDS; do
    case "$backend" in sqlite|postgres) bench_backend "$backend" ;; *) die "unknown backend $backend" ;; esac
done

# median COLUMN BACKEND PHASE: the median of a results column over this run's rounds.
median() {
    awk -F'\t' -v run="$STAMP" -v b="$2" -v p="$3" -v c="$1" '$1 == run && $3 == b && $4 == p { print $c }' "$RESULTS" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "Results ($STAMP, vigil $VERSION; $REGISTRANTS registrants seeded; ${SECONDS_PER_PHASE}s create/read phases; $CONNECTIONS connections):"
echo "(CPU columns: server, postgres and wrk in % of one core; busy and other in % of the whole machine; other = processes not part of the benchmark)"
printf '| %-8s | %-6s | %5s | %8s | %8s | %8s | %8s | %6s | %7s | %8s | %7s | %6s | %5s | %5s | %6s |\n' backend phase round requests "req/s" "p50 ms" "p99 ms" non2xx sockerr "RSS MiB" "server%" "pg%" "wrk%" "busy%" "other%"
echo "|----------|--------|-------|----------|----------|----------|----------|--------|---------|----------|---------|--------|-------|-------|--------|"
printf '%s\n' "${SUMMARY[@]}"
echo
echo "Medians over $ROUNDS round(s) (seed: the single seeding run):"
printf '| %-8s | %-6s | %8s | %8s | %8s |\n' backend phase "req/s" "p50 ms" "p99 ms"
echo "|----------|--------|----------|----------|----------|"
for backend in $BACKENDS; do
    for phase in seed create read; do
        printf '| %-8s | %-6s | %8s | %8s | %8s |\n' "$backend" "$phase" "$(median 8 "$backend" "$phase")" "$(median 9 "$backend" "$phase")" "$(median 11 "$backend" "$phase")"
    done
done
echo "Tab-separated results appended to $RESULTS"
[[ "$FAILURES" -eq 0 ]] || die "$FAILURES phase(s) had errors"
