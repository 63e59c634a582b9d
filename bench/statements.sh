#!/usr/bin/env bash
# How many statements an audited registrant read sends to PostgreSQL (issue 18), counted by
# pg_stat_statements: the statements executed in the bench database while wrk makes audited reads
# (GET /api/v1/registrants/{id}), divided by the reads, and each statement's calls per read.
#
#   bench/statements.sh
#
# Needs pg_stat_statements loaded by the server (shared_preload_libraries; the script says how
# when it is not). Settings: BENCH_REGISTRANTS (2000), BENCH_SECONDS (10), BENCH_CONNECTIONS (8),
# BENCH_PG_URL, BENCH_PORT (18090), CARGO_TARGET_DIR.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
source "$REPO/bench/lib.sh"
REGISTRANTS=${BENCH_REGISTRANTS:-2000}
SECONDS_EACH=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18090}
BASE="http://127.0.0.1:$PORT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
require_loopback_pg
require_tools
[[ "$(psql "$PG_URL/postgres" -qAtX -c "SHOW shared_preload_libraries")" == *pg_stat_statements* ]] ||
    die "pg_stat_statements is not loaded: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', then restart PostgreSQL"
take_lock
build_release --bin vigil --example synthetic_register
BIN="$OUT/vigil"
GEN="$OUT/examples/synthetic_register"
WORK=$(mktemp -d /tmp/vigil-statements.XXXXXX)
cleanup() {
    stop_server
    drop_pg_db
    rm -rf "$WORK"
}
trap cleanup EXIT

"$GEN" "$REGISTRANTS" 0 "$WORK/register.csv" "$WORK/reports.jsonl"
dir="$WORK/postgres"
mkdir -p "$dir"
demo_database postgres "$dir" vigil_statements
import_register "$dir" "$WORK/register.csv"
psql "$DB_URL" -qAtX -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
RUST_LOG="warn" start_demo "$dir" "$WORK/server.log" "${DEMO_ARGS[@]}"
export BENCH_TOKEN BENCH_IDS_FILE="$dir/ids.txt" BENCH_LABEL="read"
BENCH_TOKEN=$("$BIN" dev-token --role ppo --org met --data-dir "$dir")
registrant_ids "$BENCH_TOKEN" "$BENCH_IDS_FILE" 2000
# Let start-up work (the register model, sealing, backfills) settle before counting.
sleep 5
psql "$DB_URL" -qAtX -c "SELECT pg_stat_statements_reset()" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -s "$REPO/bench/read.lua" "$BASE" >"$WORK/wrk.txt"
reads=$(grep -o 'BENCH_RESULT label=[^ ]* requests=[0-9]*' "$WORK/wrk.txt" | head -1 | sed 's/.*requests=//')
non2xx=$(grep -o 'non2xx=[0-9]*' "$WORK/wrk.txt" | head -1)
[[ "$non2xx" == "non2xx=0" ]] || die "reads were refused ($non2xx)"
log "$reads audited reads"
psql "$DB_URL" -qAtX -F ' | ' -c "
    SELECT round(calls::numeric / $reads, 3), calls, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname = current_database() ORDER BY calls DESC LIMIT 15"
psql "$DB_URL" -qAtX -c "
    SELECT 'statements per read (all statements in the database during the run): ' || round(sum(calls)::numeric / $reads, 3)
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()"
