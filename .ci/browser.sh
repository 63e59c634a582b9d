#!/usr/bin/env bash
# The browser suite in Debian's Chromium, once on SQLite and once on PostgreSQL:
#   - the real sign-in (tests/browser/real-login.mjs): `vigil serve` on a fresh database (its
#     migrations applied at start, a new key ring) signing people in through the test OpenID
#     Provider (tests/oidc-provider): sign-in, role navigation, axe, refusals, sign-out at the
#     provider, with and without JavaScript;
#   - every role's flows (tests/browser/suite.mjs) against `vigil demo` and its synthetic register.
# A missing browser is installed; one that cannot be is a failure, not a skip.
#
#   .ci/browser.sh [path/to/vigil] [postgres://...]
# BROWSER_ONLY_REAL_LOGIN=1 runs only the real sign-in (under a minute per backend).
# Artifacts (screenshots) go to $VIGIL_ARTIFACTS (default target/browser-artifacts).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/vigil}
PG_URL=${2:-${TEST_DATABASE_URL_CI:-postgres://postgres@127.0.0.1:5432/postgres}}
PORT=${BROWSER_PORT:-18091}
SERVE_PORT=${BROWSER_SERVE_PORT:-18092}
OP_PORT=${BROWSER_OP_PORT:-18093}
export VIGIL_ARTIFACTS=${VIGIL_ARTIFACTS:-$PWD/target/browser-artifacts}
WORK=$(mktemp -d /tmp/vigil-browser.XXXXXX)
SERVER=""
PROVIDER=""
DBS=()
cleanup() {
    [[ -z "$SERVER" ]] || kill "$SERVER" 2>/dev/null || true
    [[ -z "$PROVIDER" ]] || kill "$PROVIDER" 2>/dev/null || true
    for db in "${DBS[@]}"; do
        psql "$PG_URL" -qAtX -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v chromium >/dev/null; then
    echo "browser: installing Debian's chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export CHROMIUM=$(command -v chromium)
npm ci --prefix tests/browser --no-audit --no-fund --ignore-scripts --loglevel=error
npm ci --prefix tests/oidc-provider --no-audit --no-fund --loglevel=error

# wait_ready PID LOG URL: until URL answers, failing (with the log) if PID exits or a minute passes.
wait_ready() {
    for _ in $(seq 1 120); do
        curl -fs -o /dev/null "$3" && return 0
        kill -0 "$1" 2>/dev/null || { cat "$2" >&2; exit 1; }
        sleep 0.5
    done
    echo "browser: $3 did not answer within a minute" >&2
    cat "$2" >&2
    exit 1
}

# run_real_login NAME DATABASE_URL: the test OpenID Provider and `vigil serve` configured
# against it (as tests/it/support/browser.rs configures the app), then real-login.mjs.
run_real_login() {
    local name=$1 url=$2
    local dir="$WORK/$name-serve" base="http://127.0.0.1:$SERVE_PORT" issuer="http://127.0.0.1:$OP_PORT" secret
    secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    mkdir -p "$dir/checkpoints"
    "$BIN" keys generate --out "$dir/keyring.json" >/dev/null
    OP_PORT=$OP_PORT OP_CLIENT_ID=vigil-browser OP_CLIENT_SECRET=$secret OP_REDIRECT_URI="$base/auth/callback" \
        OP_POST_LOGOUT_REDIRECT_URI="$base/signed-out" node tests/oidc-provider/provider.mjs >"$dir/provider.log" 2>&1 &
    PROVIDER=$!
    wait_ready "$PROVIDER" "$dir/provider.log" "$issuer/.well-known/openid-configuration"
    cat >"$dir/vigil.toml" <<TOML
[database]
url = "$url"
[http]
bind = "127.0.0.1:$SERVE_PORT"
[keys]
file = "$dir/keyring.json"
[audit]
checkpoint_dir = "$dir/checkpoints"
[oidc]
issuer = "$issuer"
audience = "vigil"
client_id = "vigil-browser"
client_secret = "$secret"
redirect_url = "$base/auth/callback"
post_logout_redirect_url = "$base/signed-out"
development_allow_http_loopback = true
TOML
    "$BIN" --config "$dir/vigil.toml" serve >"$dir/serve.log" 2>&1 &
    SERVER=$!
    wait_ready "$SERVER" "$dir/serve.log" "$base/health/ready"
    echo "== real sign-in on $name (vigil serve and the test OpenID Provider) =="
    VIGIL_BASE="$base" VIGIL_ISSUER="$issuer" VIGIL_ARTIFACTS="$VIGIL_ARTIFACTS/$name" node tests/browser/real-login.mjs \
        || { echo "-- vigil serve's log:" >&2; tail -n 40 "$dir/serve.log" >&2; exit 1; }
    kill "$SERVER" "$PROVIDER" && wait "$SERVER" "$PROVIDER" 2>/dev/null || true
    SERVER=""
    PROVIDER=""
}

# run_suite NAME [demo arguments...]
run_suite() {
    local name=$1
    shift
    "$BIN" demo --data-dir "$WORK/$name" --port "$PORT" --registrants 12 "$@" >"$WORK/$name.log" 2>&1 &
    SERVER=$!
    wait_ready "$SERVER" "$WORK/$name.log" "http://127.0.0.1:$PORT/health/ready"
    echo "== browser suite on $name =="
    VIGIL_BASE="http://127.0.0.1:$PORT" VIGIL_ARTIFACTS="$VIGIL_ARTIFACTS/$name" node tests/browser/suite.mjs
    kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
    SERVER=""
}

# new_database NAME: a fresh PostgreSQL database, dropped on exit.
new_database() {
    DBS+=("$1")
    psql "$PG_URL" -qAtX -c "CREATE DATABASE \"$1\"" >/dev/null
}

# BROWSER_ONLY_REAL_LOGIN=1 runs the real sign-in alone (a minute), not the demo suites.
ONLY_REAL_LOGIN=${BROWSER_ONLY_REAL_LOGIN:-}
run_real_login sqlite "sqlite://$WORK/login.db?mode=rwc"
[[ -n "$ONLY_REAL_LOGIN" ]] || run_suite sqlite
new_database "vigil_browser_login_$$"
run_real_login postgres "${PG_URL%/*}/vigil_browser_login_$$"
if [[ -z "$ONLY_REAL_LOGIN" ]]; then
    new_database "vigil_browser_$$"
    run_suite postgres --database-url "${PG_URL%/*}/vigil_browser_$$"
fi
