# Shared by the bench/*.sh scripts (source it): logging, tools, the benchmark lock, and starting
# and stopping `vigil demo` and PostgreSQL databases. Expects REPO, PORT, BASE, PG_URL and BIN
# where a function uses them; sets SERVER_PID and PG_DB.

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Loopback only: the benchmarks never send load anywhere else.
require_loopback_pg() {
    case "$PG_URL" in
        postgres://*@127.0.0.1:*|postgres://*@127.0.0.1|postgresql://*@127.0.0.1:*|postgresql://*@127.0.0.1) ;;
        *) die "BENCH_PG_URL must point at 127.0.0.1 (got $PG_URL)" ;;
    esac
}

require_positive() {
    local n
    for n in "$@"; do [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || die "settings must be positive integers (got '$n')"; done
}

require_tools() {
    if ! command -v wrk >/dev/null; then
        log "installing wrk"
        if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
    fi
    local tool
    for tool in wrk curl cargo flock python3 /usr/bin/time "$@"; do command -v "$tool" >/dev/null || die "$tool is required"; done
}

# One benchmark at a time on a shared machine.
take_lock() {
    exec 9>>"${BENCH_LOCK:-/tmp/vigil-bench.lock}"
    flock -w "${BENCH_LOCK_WAIT:-3600}" 9 || die "another benchmark holds the lock"
}

# Builds the release binaries named (cargo --bin/--example arguments) and sets OUT.
build_release() {
    log "building the release binaries (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$REPO" && cargo build -q --release "$@")
    case "$CARGO_TARGET_DIR" in /*) OUT="$CARGO_TARGET_DIR/release" ;; *) OUT="$REPO/$CARGO_TARGET_DIR/release" ;; esac
}

SERVER_PID=""
PG_DB=""

# start_demo DATA_DIR LOG [demo arguments...]: starts `vigil demo` and waits until it is ready.
start_demo() {
    local dir=$1 logfile=$2
    shift 2
    "$BIN" demo --data-dir "$dir" --port "$PORT" --registrants 0 "$@" >"$logfile" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 240); do
        curl -fs -o /dev/null "$BASE/health/ready" && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$logfile" >&2; die "the service exited"; }
        sleep 0.5
    done
    die "the service did not become ready"
}

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# create_pg_db NAME: creates the database and sets PG_DB.
create_pg_db() {
    PG_DB=$1
    psql "$PG_URL/postgres" -qAtX -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
}

drop_pg_db() {
    [[ -n "$PG_DB" ]] || return 0
    psql "$PG_URL/postgres" -qAtX -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null || log "could not drop $PG_DB"
    PG_DB=""
}

# field NAME LINE: a key=value field of a BENCH_RESULT line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
