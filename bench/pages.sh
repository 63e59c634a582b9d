#!/usr/bin/env bash
# Web page benchmark (issue 14): the server's time for each first-slice page of the web
# interface on a register of 100,000 registrants, on SQLite and on PostgreSQL.
#
#   bench/pages.sh                                                 # full run: 100,000 registrants
#   BENCH_REGISTRANTS=5000 BENCH_SECONDS=3 BENCH_LOADED_SECONDS=0 bench/pages.sh   # quick check
#
# For each backend it
#   1. starts `vigil demo` on an empty database with BENCH_DEMO_REGISTRANTS registrants, so the
#      demo's own data is there (orders, obligations and their sessions, crime reports checked
#      against the register, link reviews, a serial pattern, review alerts, four-eyes requests),
#      stops it, runs the missed-obligation detection once (the demo's scheduler would only run
#      it on the next five-minute tick) so that there are breaches, and imports the rest of the
#      register (BENCH_REGISTRANTS minus the demo's) from the synthetic generator
#      (examples/synthetic_register.rs) with `vigil import registrants`, under the demo's key ring;
#   2. starts `vigil demo` again on that database (127.0.0.1 only; it loads nothing into a
#      register that is not empty) and signs in through the development sign-in page as each
#      role, keeping each session's cookie;
#   3. finds real ids by reading the list pages (a breach and its registrant, an order, a link,
#      a serial pattern, a crime report and its check, a four-eyes request, an audit entry),
#      gives a reason on the "Why are you accessing this?" page before each page that needs one;
#   4. for each page: one request with curl, which must answer 200 (not a redirect to the
#      sign-in or the why page); then wrk with 1 connection for BENCH_SECONDS (the page's
#      latency: p50, p90, p99, max) and, unless BENCH_LOADED_SECONDS is 0, with
#      BENCH_CONNECTIONS connections (throughput and latency under load). Any response but 200
#      fails the run.
# It prints a markdown table per backend and the server's peak RSS (VmHWM). Everything it
# creates (temp folder, PostgreSQL database, server) is removed on exit.
#
# Settings (environment):
#   BENCH_REGISTRANTS       registrants in the register, demo ones included   (100000)
#   BENCH_DEMO_REGISTRANTS  of which loaded by `vigil demo`, with orders etc. (1000)
#   BENCH_SECONDS           duration of each page's 1-connection phase        (10)
#   BENCH_LOADED_SECONDS    duration of each page's loaded phase (0 = none)   (5)
#   BENCH_CONNECTIONS       connections in the loaded phase                   (8)
#   BENCH_PAGES             only pages whose label contains this text        (all)
#   BENCH_BACKENDS          which backends, in order                          ("sqlite postgres")
#   BENCH_PG_URL            PostgreSQL server, loopback only                  (postgres://postgres@127.0.0.1:5432)
#   BENCH_PORT              port for the service on 127.0.0.1                 (18082)
#   BENCH_LOCK, BENCH_LOCK_WAIT  lock that keeps benchmarks apart             (/tmp/vigil-bench.lock, 3600)
#   BENCH_KEEP              keep the temp folder (server logs) on exit        (unset)
#   CARGO_TARGET_DIR        where the release binaries are built              (target)

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO/bench"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
REGISTRANTS=${BENCH_REGISTRANTS:-100000}
DEMO_REGISTRANTS=${BENCH_DEMO_REGISTRANTS:-1000}
SECONDS_PER_PAGE=${BENCH_SECONDS:-10}
LOADED_SECONDS=${BENCH_LOADED_SECONDS:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
ONLY=${BENCH_PAGES:-}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18082}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
BASE="http://127.0.0.1:$PORT"

require_loopback_pg
require_positive "$REGISTRANTS" "$DEMO_REGISTRANTS" "$SECONDS_PER_PAGE" "$CONNECTIONS" "$PORT"
[[ "$LOADED_SECONDS" =~ ^[0-9]+$ ]] || die "BENCH_LOADED_SECONDS must be a whole number"
# The demo's data needs a few registrants of its own (its reports and patterns use the first 7).
[[ "$DEMO_REGISTRANTS" -ge 10 && "$DEMO_REGISTRANTS" -lt "$REGISTRANTS" ]] || die "BENCH_DEMO_REGISTRANTS must be at least 10 and below BENCH_REGISTRANTS"
require_tools
[[ "$BACKENDS" != *postgres* ]] || command -v psql >/dev/null || die "psql is required"
take_lock
build_release --bin vigil --example synthetic_register
BIN="$OUT/vigil"
GEN="$OUT/examples/synthetic_register"
VERSION=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)

WORK=$(mktemp -d /tmp/vigil-pages.XXXXXX)
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_server
    drop_pg_db
    if [[ -n "${BENCH_KEEP:-}" ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
TABLES=()

IMPORTED=$((REGISTRANTS - DEMO_REGISTRANTS))
log "generating $IMPORTED registrants to import"
"$GEN" "$IMPORTED" 0 "$WORK/register.csv" "$WORK/reports.jsonl"
# A person of the imported register, for the find page: the first row with an e-mail address
# (columns: given, family, birth dates, phone, e-mail, handle).
IFS=, read -r FIND_GIVEN FIND_FAMILY FIND_DOB _ FIND_EMAIL _ < <(awk -F, 'NR > 1 && $5 != "" { print; exit }' "$WORK/register.csv")
[[ -n "$FIND_EMAIL" ]] || die "no registrant with an e-mail address in the generated register"
FIND_DOB=${FIND_DOB%%;*}

# --- starting the service ----------------------------------------------------------------------
# run_demo DIR LOG TIMEOUT [demo arguments...]: `vigil demo` in the background until ready. Not
# lib.sh's start_demo, which always passes --registrants 0 and gives up after two minutes: the
# first start here loads the demo's data before it listens.
run_demo() {
    local dir=$1 logfile=$2 timeout=$3
    shift 3
    "$BIN" demo --data-dir "$dir" --port "$PORT" "${DEMO_ARGS[@]}" "$@" >"$logfile" 2>&1 &
    SERVER_PID=$!
    local waited=0
    until curl -fs -o /dev/null "$BASE/health/ready"; do
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$logfile" >&2; die "the service exited"; }
        ((waited++ < timeout * 2)) || die "the service did not become ready in ${timeout}s"
        sleep 0.5
    done
}

# --- a browser's requests with curl ------------------------------------------------------------
# Each role has its own session: COOKIES[role] is its Cookie header, CSRFS[role] its forms' token.
declare -A COOKIES=() CSRFS=()
# The development sign-in's accounts, by position on the page (src/ui/signin.rs, DEMO_ACCOUNTS).
declare -A ACCOUNT=([ppo]=0 [supervisor]=1 [probation]=2 [intake]=3 [auditor]=4 [admin]=5)

# sign_in ROLE: POSTs the sign-in form as a browser would and keeps the session cookie. The
# cookie is `__Host-` prefixed (Secure), which curl's cookie jar would not send back over plain
# http, so it is taken from Set-Cookie and sent as a header.
sign_in() {
    local role=$1 headers cookie
    headers=$(curl -s -o /dev/null -D - -H "Sec-Fetch-Site: same-origin" \
        --data "account=${ACCOUNT[$role]}&return_to=%2F" "$BASE/sign-in")
    cookie=$(tr -d '\r' <<<"$headers" | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-vigil_session=[^;]*\);.*/\1/p' | head -1)
    [[ -n "$cookie" ]] || die "signing in as $role gave no session cookie: $headers"
    COOKIES[$role]=$cookie
    fetch "$role" / >/dev/null
    CSRFS[$role]=$(grep -o 'name="csrf" value="[^"]*"' "$WORK/page.html" | head -1 | sed 's/.*value="\([^"]*\)"/\1/')
    [[ -n "${CSRFS[$role]}" ]] || die "no CSRF token on the home page for $role"
}

# fetch ROLE PATH [FORM]: the page into $WORK/page.html (GET, or POST of FORM); dies unless it
# answers 200. Redirects are not followed: a redirect is the benchmark asking the wrong way.
fetch() {
    local role=$1 path=$2 form=${3:-} status args=()
    [[ -z "$form" ]] || args=(--data "$form")
    status=$(curl -s -o "$WORK/page.html" -w '%{http_code} %{redirect_url}' -H "Cookie: ${COOKIES[$role]}" "${args[@]}" "$BASE$path")
    [[ "$status" == "200 " ]] || die "$role: ${form:+POST }$path answered $status"
    cat "$WORK/page.html"
}

# justify ROLE KIND ID: gives a reason on the "Why are you accessing this?" page of a record
# (registrants), a crime report (reports), a link (links) or a serial pattern (patterns), as the
# person would; remembered for this session for 30 minutes, so it is given again before each page.
justify() {
    local role=$1 kind=$2 id=$3 status reason=COMPLIANCE reference=""
    case "$kind" in
        reports|links|patterns) reason=INVESTIGATION reference=BENCH%2F1 ;;
    esac
    status=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Cookie: ${COOKIES[$role]}" \
        --data "csrf=${CSRFS[$role]}&reason=$reason&reference=$reference&next=%2F$kind%2F$id" "$BASE/$kind/$id/why")
    [[ "$status" == 303\ * && "$status" != */why* ]] || die "$role: giving a reason for /$kind/$id answered $status"
}

# first_match ROLE PATH REGEX [FORM]: the first text matching REGEX (grep -E) in the page.
first_match() {
    local found
    found=$(fetch "$1" "$2" "${4:-}" | grep -oE "$3" | head -1) || true
    [[ -n "$found" ]] || die "$1: nothing matching $3 on $2"
    printf '%s\n' "$found"
}

urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

UUID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# --- measuring one page ------------------------------------------------------------------------
# wrk_page ROLE PATH CONNECTIONS SECONDS OUT [FORM]: prints the BENCH_RESULT line; dies on any
# response but 200.
wrk_page() {
    local role=$1 path=$2 connections=$3 seconds=$4 out=$5 form=${6:-} line
    BENCH_LABEL="$path" BENCH_PATH="$path" BENCH_COOKIE="${COOKIES[$role]}" BENCH_METHOD="${form:+POST}" BENCH_BODY="$form" \
        wrk -t"$((connections < 2 ? 1 : 2))" -c"$connections" -d"${seconds}s" --timeout 10s --latency \
        -s "$BENCH_DIR/pages.lua" "$BASE" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
    line=$(grep '^BENCH_RESULT ' "$out" | tail -1) || die "wrk printed no result for $path"
    [[ "$(field non2xx "$line")" == 0 && "$(field socket_errors "$line")" == 0 ]] ||
        { grep BENCH_FIRST_ERROR "$out" >&2 || true; die "$role: $path: responses other than 200: $line"; }
    printf '%s\n' "$line"
}

PAGE_N=0
# page BACKEND LABEL ROLE PATH [JUSTIFY_KIND JUSTIFY_ID] [FORM]: one row of the table.
page() {
    local backend=$1 label=$2 role=$3 path=$4 kind=${5:-} id=${6:-} form=${7:-} one loaded="" bytes
    [[ -z "$ONLY" || "$label" == *"$ONLY"* ]] || return 0
    PAGE_N=$((PAGE_N + 1))
    [[ -z "$kind" ]] || justify "$role" "$kind" "$id"
    fetch "$role" "$path" "$form" >/dev/null
    bytes=$(wc -c <"$WORK/page.html")
    log "$backend: $label ($role, ${form:+POST }$path, $bytes bytes)"
    one=$(wrk_page "$role" "$path" 1 "$SECONDS_PER_PAGE" "$WORK/$backend.$PAGE_N.1.out" "$form")
    if [[ "$LOADED_SECONDS" -gt 0 ]]; then
        loaded=$(wrk_page "$role" "$path" "$CONNECTIONS" "$LOADED_SECONDS" "$WORK/$backend.$PAGE_N.n.out" "$form")
    fi
    local p99 verdict
    p99=$(field p99_ms "$one")
    verdict=$(awk -v p="$p99" 'BEGIN { print (p < 50 ? "yes" : "**no**") }')
    ROWS+=("| $label | $role | $(field requests "$one") | $(field rps "$one") | $(field p50_ms "$one") | $(field p90_ms "$one") | $p99 | $(field max_ms "$one") | $verdict | ${loaded:+$(field rps "$loaded") /s, p50 $(field p50_ms "$loaded"), p99 $(field p99_ms "$loaded")} | $((bytes / 1024)) |")
    log "${ROWS[-1]}"
}

# --- one backend -------------------------------------------------------------------------------
bench_backend() {
    local backend=$1 dir="$WORK/$1"
    mkdir -p "$dir"
    ROWS=()
    demo_database "$backend" "$dir" vigil_pages

    log "$backend: vigil demo loads its own data with $DEMO_REGISTRANTS registrants"
    run_demo "$dir" "$dir/demo-load.log" 1800 --registrants "$DEMO_REGISTRANTS"
    grep '^loaded' "$dir/demo-load.log" | while read -r l; do log "$backend: $l"; done
    stop_server
    VIGIL__DATABASE__URL="$DB_URL" VIGIL__KEYS__FILE="$dir/keyring.json" "$BIN" jobs run detect_missed >"$dir/jobs.log" 2>&1 ||
        { cat "$dir/jobs.log" >&2; die "$backend: the detection job failed"; }
    log "$backend: $(tr -s ' ' <"$dir/jobs.log" | tail -1)"

    log "$backend: importing $IMPORTED registrants under the demo's key ring"
    local started
    started=$(date +%s)
    VIGIL__DATABASE__URL="$DB_URL" VIGIL__KEYS__FILE="$dir/keyring.json" \
        "$BIN" import registrants "$WORK/register.csv" --org met --operator bench --no-duplicate-check --batch 500 >"$dir/import.log" 2>&1 ||
        { tail -20 "$dir/import.log" >&2; die "$backend: import failed"; }
    log "$backend: imported in $(($(date +%s) - started)) s"
    if [[ "$backend" == postgres ]]; then
        # As bench/checks.sh: let the bulk load's statistics and dirty pages settle first, as an
        # operator would before opening the service.
        psql "$DB_URL" -qAtX -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null
    fi

    run_demo "$dir" "$dir/server.log" 300
    local role
    for role in ppo supervisor probation intake auditor admin; do sign_in "$role"; done

    # Real ids from the pages themselves.
    local breach_href rid bid oid lid pid iid prid rpid cid aid seq
    breach_href=$(first_match ppo /breaches "/registrants/$UUID/breaches/$UUID")
    rid=$(cut -d/ -f3 <<<"$breach_href")
    bid=$(cut -d/ -f5 <<<"$breach_href")
    justify ppo registrants "$rid"
    oid=$(first_match ppo "/registrants/$rid/orders" "/registrants/$rid/orders/$UUID" | cut -d/ -f5)
    lid=$(first_match ppo /links "/links/$UUID" | cut -d/ -f3)
    pid=$(first_match ppo "/alerts?sort=alert&order=descending" "/patterns/$UUID" | cut -d/ -f3)
    prid=$(first_match probation /caseload "/registrants/$UUID" | cut -d/ -f3)
    rpid=$(first_match intake /reports "/reports/$UUID" | cut -d/ -f3)
    justify intake reports "$rpid"
    cid=$(first_match intake "/reports/$rpid" "/reports/$rpid/checks/$UUID" | cut -d/ -f5)
    aid=$(first_match supervisor /approvals "/approvals/$UUID" | cut -d/ -f3)
    seq=$(first_match auditor "/audit?record=$rid" "/audit/events/[0-9]+" | cut -d/ -f4)

    local find_name find_dob find_id
    find_name="by=name&given=$(urlencode "$FIND_GIVEN")&family=$(urlencode "$FIND_FAMILY")&reason=OFFENDER_MANAGEMENT"
    find_dob="$find_name&day=$((10#${FIND_DOB:8:2}))&month=$((10#${FIND_DOB:5:2}))&year=${FIND_DOB:0:4}"
    find_id="by=identifier&kind=email&value=$(urlencode "$FIND_EMAIL")&reason=OFFENDER_MANAGEMENT"
    # One of the imported registrants (the caseload lists the demo's first: it is in id order).
    iid=$(first_match ppo /find "/registrants/$UUID" "csrf=${CSRFS[ppo]}&$find_id" | cut -d/ -f3)

    # Every first-slice page that only shows (GET), each as the role whose day it is in
    # ../shared/UI.md, plus the searches (POST) and a few question pages of the write flows.
    page "$backend" "Home (My work)" ppo /
    page "$backend" "Caseload" ppo /caseload
    page "$backend" "Find a registrant (form)" ppo /find
    page "$backend" "Find: full name" ppo /find "" "" "csrf=${CSRFS[ppo]}&$find_name"
    page "$backend" "Find: name and date of birth" ppo /find "" "" "csrf=${CSRFS[ppo]}&$find_dob"
    page "$backend" "Find: identifier (e-mail)" ppo /find "" "" "csrf=${CSRFS[ppo]}&$find_id"
    page "$backend" "Why are you accessing this?" ppo "/registrants/$rid/why"
    page "$backend" "Record overview" ppo "/registrants/$rid" registrants "$rid"
    page "$backend" "Record overview (imported)" ppo "/registrants/$iid" registrants "$iid"
    page "$backend" "Personal details" ppo "/registrants/$rid/details" registrants "$rid"
    page "$backend" "Orders" ppo "/registrants/$rid/orders" registrants "$rid"
    page "$backend" "Order page" ppo "/registrants/$rid/orders/$oid" registrants "$rid"
    page "$backend" "Obligations" ppo "/registrants/$rid/obligations" registrants "$rid"
    page "$backend" "Record breaches" ppo "/registrants/$rid/breaches" registrants "$rid"
    page "$backend" "Breach page" ppo "/registrants/$rid/breaches/$bid" registrants "$rid"
    page "$backend" "Breaches list" ppo /breaches
    page "$backend" "Alerts" ppo /alerts
    page "$backend" "Overdue" ppo /overdue
    page "$backend" "Link review list" ppo /links
    page "$backend" "Link review (side by side)" ppo "/links/$lid" links "$lid"
    page "$backend" "Serial pattern" ppo "/patterns/$pid" patterns "$pid"
    page "$backend" "Add a registrant (start)" ppo /registrants/new
    page "$backend" "Record a notification (form)" ppo "/registrants/$rid/notifications/new" registrants "$rid"
    page "$backend" "Home (probation)" probation /
    page "$backend" "Caseload (probation)" probation /caseload
    page "$backend" "Record overview (probation)" probation "/registrants/$prid" registrants "$prid"
    page "$backend" "Obligations (probation)" probation "/registrants/$prid/obligations" registrants "$prid"
    page "$backend" "Home (intake)" intake /
    page "$backend" "Record a crime report (form)" intake /reports/new
    page "$backend" "My reports" intake /reports
    page "$backend" "Crime report" intake "/reports/$rpid" reports "$rpid"
    page "$backend" "Check result" intake "/reports/$rpid/checks/$cid" reports "$rpid"
    page "$backend" "Approvals" supervisor /approvals
    page "$backend" "Approval decision" supervisor "/approvals/$aid"
    page "$backend" "Audit search" auditor /audit
    page "$backend" "Audit search: one record" auditor "/audit?record=$rid"
    page "$backend" "Audit entry" auditor "/audit/events/$seq"
    page "$backend" "Job runs" admin /job-runs
    page "$backend" "Sessions" admin /sessions

    # On SQLite the database file is memory-mapped, so pages of it that were read count in RSS
    # (the operating system's file cache, shared and reclaimable); RssAnon is the heap.
    local rss anon file registered
    rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
    anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$SERVER_PID/status")
    file=$(awk '/^RssFile:/ { print $2 }' "/proc/$SERVER_PID/status")
    if [[ "$backend" == postgres ]]; then
        registered=$(psql "$DB_URL" -qAtX -c "SELECT count(*) FROM registrants")
    else
        registered=$(sqlite3 "$dir/vigil.db" "SELECT count(*) FROM registrants")
    fi
    TABLES+=("" "### $backend: $registered registrants, vigil $VERSION, $(nproc) cores, $STAMP" ""
        "wrk with 1 connection for ${SECONDS_PER_PAGE} s per page (latencies in ms); then $CONNECTIONS connections for ${LOADED_SECONDS} s (0 = not run)." ""
        "| page | role | requests | req/s | p50 | p90 | p99 | max | p99 < 50 ms | $CONNECTIONS connections | KiB |"
        "|---|---|---|---|---|---|---|---|---|---|---|"
        "${ROWS[@]}" ""
        "Server peak RSS (VmHWM) $((rss / 1024)) MiB; at the end anonymous $((anon / 1024)) MiB, file-backed $((file / 1024)) MiB.")
    stop_server
    drop_pg_db
    [[ -n "${BENCH_KEEP:-}" ]] || rm -rf "$dir"
}

log "vigil $VERSION; $(nproc) cores; $REGISTRANTS registrants ($DEMO_REGISTRANTS from the demo), ${SECONDS_PER_PAGE}s per page"
for backend in $BACKENDS; do
    case "$backend" in sqlite|postgres) bench_backend "$backend" ;; *) die "unknown backend $backend" ;; esac
done
printf '%s\n' "${TABLES[@]}"
