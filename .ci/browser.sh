#!/usr/bin/env bash
# The browser suite (tests/browser/suite.mjs) in Debian's Chromium against `vigil demo`, once
# on SQLite and once on PostgreSQL. A missing browser is installed; one that cannot be is a
# failure, not a skip.
#
#   .ci/browser.sh [path/to/vigil] [postgres://...]
# Artifacts (screenshots) go to $VIGIL_ARTIFACTS (default target/browser-artifacts).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/vigil}
PG_URL=${2:-${TEST_DATABASE_URL_CI:-postgres://postgres@127.0.0.1:5432/postgres}}
PORT=${BROWSER_PORT:-18091}
export VIGIL_ARTIFACTS=${VIGIL_ARTIFACTS:-$PWD/target/browser-artifacts}
WORK=$(mktemp -d /tmp/vigil-browser.XXXXXX)
SERVER=""
DB=""
cleanup() {
    [[ -z "$SERVER" ]] || kill "$SERVER" 2>/dev/null || true
    [[ -z "$DB" ]] || psql "$PG_URL" -qAtX -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v chromium >/dev/null; then
    echo "browser: installing Debian's chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export CHROMIUM=$(command -v chromium)
npm ci --prefix tests/browser --no-audit --no-fund --ignore-scripts --loglevel=error

# run_suite NAME [demo arguments...]
run_suite() {
    local name=$1
    shift
    "$BIN" demo --data-dir "$WORK/$name" --port "$PORT" --registrants 12 "$@" >"$WORK/$name.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 120); do
        curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break
        kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
        sleep 0.5
    done
    echo "== browser suite on $name =="
    VIGIL_BASE="http://127.0.0.1:$PORT" VIGIL_ARTIFACTS="$VIGIL_ARTIFACTS/$name" node tests/browser/suite.mjs
    kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
    SERVER=""
}

run_suite sqlite
DB="vigil_browser_$$"
psql "$PG_URL" -qAtX -c "CREATE DATABASE \"$DB\"" >/dev/null
run_suite postgres --database-url "${PG_URL%/*}/$DB"
