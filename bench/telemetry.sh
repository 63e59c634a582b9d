#!/usr/bin/env bash
# What metrics and the access log cost (issue 17): audited reads with both on, and with both
# off, in one run, on the same register, alternating.
#
#   bench/telemetry.sh
#   BENCH_REGISTRANTS=2000 BENCH_SECONDS=5 BENCH_ROUNDS=1 bench/telemetry.sh   # quick check
#
# For each backend it imports BENCH_REGISTRANTS synthetic registrants (examples/synthetic_register)
# with `vigil import`, then BENCH_ROUNDS times, in turn:
#   on   - `vigil demo --metrics-port` with the default log filter: the metrics recorder, the
#          per-request histogram and one `vigil::access` line per request, written to a file,
#          and a scrape of /metrics every BENCH_SCRAPE_SECONDS (15) while wrk runs, as Prometheus would;
#   off  - `vigil demo` without a metrics port (no recorder: nothing is measured) and
#          RUST_LOG with `vigil::access=off`;
# (and, with BENCH_MODES, `metrics` alone or the access `log` alone); each wrk GET /api/v1/registrants/{id} (decrypted, audited) at BENCH_CONNECTIONS for
# BENCH_SECONDS. Prints requests/s, p50/p99 and the server's CPU time per read for each phase;
# then per mode the median rate, the median server CPU per read, and the median of each round's
# on/off ratio (the phases of a round run back to back).
#
# Settings: BENCH_REGISTRANTS (20000), BENCH_SECONDS (20), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
# BENCH_MODES ("on off"), BENCH_SCRAPE_SECONDS (15), BENCH_BACKENDS ("sqlite postgres"), BENCH_PG_URL, BENCH_PORT (18087), CARGO_TARGET_DIR.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
source "$REPO/bench/lib.sh"
REGISTRANTS=${BENCH_REGISTRANTS:-20000}
SECONDS_EACH=${BENCH_SECONDS:-20}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18087}
MODES=${BENCH_MODES:-on off}
SCRAPE_SECONDS=${BENCH_SCRAPE_SECONDS:-15}
METRICS_PORT=$((PORT + 1))
BASE="http://127.0.0.1:$PORT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
require_loopback_pg
require_positive "$REGISTRANTS" "$SECONDS_EACH" "$ROUNDS" "$CONNECTIONS" "$PORT"
require_tools
take_lock
build_release --bin vigil --example synthetic_register
BIN="$OUT/vigil"
GEN="$OUT/examples/synthetic_register"
WORK=$(mktemp -d /tmp/vigil-telemetry.XXXXXX)
SCRAPER=""
cleanup() {
    [[ -z "$SCRAPER" ]] || kill "$SCRAPER" 2>/dev/null || true
    stop_server
    drop_pg_db
    rm -rf "$WORK"
}
trap cleanup EXIT

log "generating $REGISTRANTS registrants"
"$GEN" "$REGISTRANTS" 0 "$WORK/register.csv" "$WORK/reports.jsonl"

# phase BACKEND MODE ROUND: one wrk run against a server started in MODE (on|off).
phase() {
    local backend=$1 mode=$2 round=$3 dir="$WORK/$1"
    local quiet="info,sqlx=warn,sea_orm=warn,tokio_cron_scheduler=warn,vigil::access=off"
    case "$mode" in
        on|metrics)
            [[ "$mode" == on ]] || export RUST_LOG="$quiet"
            start_demo "$dir" "$WORK/server-$backend-$mode-$round.log" "${DEMO_ARGS[@]}" --metrics-port "$METRICS_PORT"
            unset RUST_LOG
            (while sleep "$SCRAPE_SECONDS"; do curl -fs -o /dev/null "http://127.0.0.1:$METRICS_PORT/metrics" || true; done) &
            SCRAPER=$! ;;
        log) start_demo "$dir" "$WORK/server-$backend-$mode-$round.log" "${DEMO_ARGS[@]}" ;;
        off) RUST_LOG="$quiet" start_demo "$dir" "$WORK/server-$backend-$mode-$round.log" "${DEMO_ARGS[@]}" ;;
        *) die "unknown mode $mode" ;;
    esac
    export BENCH_TOKEN BENCH_IDS_FILE="$dir/ids.txt" BENCH_LABEL="read-$mode"
    BENCH_TOKEN=$("$BIN" dev-token --role ppo --org met --data-dir "$dir")
    [[ -s "$BENCH_IDS_FILE" ]] || registrant_ids "$BENCH_TOKEN" "$BENCH_IDS_FILE" 5000
    # The server's own CPU time (user + system, in clock ticks) around the run: CPU per read is
    # far less at the mercy of the shared machine than reads per second.
    local cpu0 cpu1
    cpu0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s "$REPO/bench/read.lua" "$BASE" >"$WORK/wrk.txt"
    cpu1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    local requests cpu_us
    requests=$(grep -o 'BENCH_RESULT label=[^ ]* requests=[0-9]*' "$WORK/wrk.txt" | head -1 | sed 's/.*requests=//')
    cpu_us=$(python3 -c "print(round(($cpu1 - $cpu0) * 1e6 / $(getconf CLK_TCK) / max($requests, 1)))")
    local rate p50 p99 non2xx
    rate=$(awk '$1=="Requests/sec:"{print $2}' "$WORK/wrk.txt")
    p50=$(awk '$1=="50%"{print $2}' "$WORK/wrk.txt")
    p99=$(awk '$1=="99%"{print $2}' "$WORK/wrk.txt")
    non2xx=$(grep -o 'non2xx=[0-9]*' "$WORK/wrk.txt" | head -1)
    # A read refused (401, 422) is not a read: the comparison would be of error paths.
    [[ "$non2xx" == "non2xx=0" ]] || { grep -o 'BENCH_[A-Z_]*.*' "$WORK/wrk.txt" >&2; die "reads were refused ($non2xx)"; }
    if [[ -n "$SCRAPER" ]]; then
        kill "$SCRAPER" 2>/dev/null || true
        SCRAPER=""
    fi
    if [[ "$mode" == on || "$mode" == log ]]; then
        local lines
        lines=$(grep -c 'vigil::access' "$WORK/server-$backend-$mode-$round.log" || true)
        [[ "$lines" -gt 0 ]] || die "the access log wrote nothing with telemetry on"
    fi
    stop_server
    echo "$backend $mode round=$round rate=$rate p50=$p50 p99=$p99 cpu_us_per_read=$cpu_us ${non2xx:-}" | tee -a "$WORK/results.txt"
}

for backend in $BACKENDS; do
    dir="$WORK/$backend"
    mkdir -p "$dir"
    demo_database "$backend" "$dir" vigil_telemetry
    log "$backend: importing $REGISTRANTS registrants"
    import_register "$dir" "$WORK/register.csv"
    # The demo takes the key ring from its data folder: the one the import sealed under.
    for round in $(seq 1 "$ROUNDS"); do
        # Alternate which goes first, so a drift in the machine's load falls on both.
        if ((round % 2)); then order="$MODES"; else order=$(tr ' ' '\n' <<<"$MODES" | tac | tr '\n' ' '); fi
        for mode in $order; do phase "$backend" "$mode" "$round"; done
    done
    drop_pg_db
done

python3 - "$WORK/results.txt" <<'PY'
import re, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for backend in dict.fromkeys(r[0] for r in rows):
    modes = list(dict.fromkeys(r[1] for r in rows if r[0] == backend))
    rate = {m: statistics.median(float(r[3].removeprefix("rate=")) for r in rows if r[0] == backend and r[1] == m) for m in modes}
    off = rate.get("off")
    for m in modes:
        cost = f"; costs {100 * (off - rate[m]) / off:.1f} % of throughput against off" if off and m != "off" else ""
        print(f"{backend} {m}: median reads/s {rate[m]:.0f}{cost}")
    # Each round's phases ran back to back, so their ratio is free of the machine's slow drift
    # (other tenants, the growing audit table): the median of those ratios is the fairer figure.
    rounds = {}
    for r in rows:
        if r[0] == backend:
            rounds.setdefault(r[2], {})[r[1]] = float(r[3].removeprefix("rate="))
    cpu = {m: statistics.median(float(r[6].removeprefix("cpu_us_per_read=")) for r in rows if r[0] == backend and r[1] == m) for m in modes}
    for m in modes:
        extra = f"; {100 * (cpu[m] - cpu['off']) / cpu['off']:+.1f} % against off" if "off" in cpu and m != "off" else ""
        print(f"{backend} {m}: median server CPU per read {cpu[m]:.0f} us{extra}")
    for m in modes:
        if m == "off":
            continue
        ratios = sorted(v[m] / v["off"] for v in rounds.values() if m in v and "off" in v)
        if ratios:
            print(f"{backend} {m}/off per round: median {statistics.median(ratios):.3f} (cost {100 * (1 - statistics.median(ratios)):.1f} %), "
                  f"range {ratios[0]:.3f}-{ratios[-1]:.3f} over {len(ratios)} rounds")
PY
echo "version: $(cd "$REPO" && git describe --always --dirty), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
