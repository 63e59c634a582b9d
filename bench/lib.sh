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
    wait_ready "$logfile" "the service"
}

# wait_ready LOG NAME: until SERVER_PID answers $BASE/health/ready (two minutes at most),
# failing with its LOG if it exits first.
wait_ready() {
    for _ in $(seq 1 240); do
        curl -fs -o /dev/null "$BASE/health/ready" && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$1" >&2; die "$2 exited"; }
        sleep 0.5
    done
    die "$2 did not become ready"
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

# demo_database BACKEND DIR PREFIX: the database for one backend's run, created if PostgreSQL;
# sets DB_URL and DEMO_ARGS (what `vigil demo` needs to use it, with the check limit lifted).
demo_database() {
    local backend=$1 dir=$2 prefix=$3
    DEMO_ARGS=(--checks-per-hour 1000000000)
    if [[ "$backend" == postgres ]]; then
        create_pg_db "${prefix}_${STAMP,,}_$$"
        DB_URL="$PG_URL/$PG_DB"
        DEMO_ARGS+=(--database-url "$DB_URL")
    else
        DB_URL="sqlite://$dir/vigil.db?mode=rwc"
    fi
}

# import_register DIR CSV: a key ring in DIR and the CSV imported into DB_URL under it.
import_register() {
    local dir=$1 csv=$2
    "$BIN" keys generate --out "$dir/keyring.json" >/dev/null
    VIGIL__DATABASE__URL="$DB_URL" VIGIL__KEYS__FILE="$dir/keyring.json" \
        "$BIN" import registrants "$csv" --org met --operator bench --no-duplicate-check >"$dir/import.log" 2>&1 || { tail -20 "$dir/import.log" >&2; die "import failed"; }
}

# registrant_ids TOKEN OUT MAX: up to MAX registrant ids from the running service, one per line.
registrant_ids() {
    python3 - "$BASE" "$1" "$2" "$3" <<'PY'
import json, sys, urllib.request
base, token, out, most = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ids, after = [], None
while len(ids) < most:
    url = base + "/api/v1/registrants?limit=100" + (f"&after={after}" if after else "")
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token, "Vigil-Reason-Code": "OFFENDER_MANAGEMENT"})
    page = json.load(urllib.request.urlopen(req))
    items = page["items"] if isinstance(page, dict) else page
    if not items:
        break
    ids += [i["id"] for i in items]
    after = page.get("next_after") if isinstance(page, dict) else None
    if not after:
        break
open(out, "w").write("\n".join(ids[:most]) + "\n")
PY
}

# wrk_read CONNECTIONS SECONDS OUT: wrk GET reads (bench/read.lua, with BENCH_IDS_FILE and
# BENCH_TOKEN or BENCH_READ_PATH exported) against the server SERVER_PID for SECONDS, its report in
# OUT. Prints "rate=… p50=… p99=… max=… cpu_us_per_read=… machine_us_per_read=…" (the server's CPU
# and every process's); a refused read fails the run, since a
# comparison of error paths is no comparison.
wrk_read() {
    local connections=$1 seconds=$2 out=$3 cpu0 cpu1 all0 all1 requests cpu_us all_us rate p50 p99 max non2xx
    cpu0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    all0=$(awk '$1=="cpu"{print $2 + $3 + $4 + $7 + $8}' /proc/stat)
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$REPO/bench/read.lua" "$BASE" >"$out"
    cpu1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    all1=$(awk '$1=="cpu"{print $2 + $3 + $4 + $7 + $8}' /proc/stat)
    requests=$(grep -o 'BENCH_RESULT label=[^ ]* requests=[0-9]*' "$out" | head -1 | sed 's/.*requests=//')
    cpu_us=$(python3 -c "print(round(($cpu1 - $cpu0) * 1e6 / $(getconf CLK_TCK) / max($requests, 1)))")
    # The whole machine's busy time per read: the server, the database server's processes and wrk.
    all_us=$(python3 -c "print(round(($all1 - $all0) * 1e6 / $(getconf CLK_TCK) / max($requests, 1)))")
    rate=$(awk '$1=="Requests/sec:"{print $2}' "$out")
    p50=$(awk '$1=="50%"{print $2}' "$out")
    p99=$(awk '$1=="99%"{print $2}' "$out")
    max=$(awk '$1=="Latency"{print $4}' "$out")
    non2xx=$(grep -o 'non2xx=[0-9]*' "$out" | head -1)
    [[ "$non2xx" == "non2xx=0" ]] || { grep -o 'BENCH_[A-Z_]*.*' "$out" >&2; die "reads were refused ($non2xx)"; }
    echo "rate=$rate p50=$p50 p99=$p99 max=$max cpu_us_per_read=$cpu_us machine_us_per_read=$all_us"
}
