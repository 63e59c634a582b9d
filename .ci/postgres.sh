# Sourced by .ci/run and .ci/test: sets PG_URL to a PostgreSQL that answers, starting a private
# one (and installing PostgreSQL) when none runs at $TEST_DATABASE_URL_CI or 127.0.0.1:5432.
# Whoever sources it calls `cleanup` on exit, which stops the private server if one was started.
PG_URL="${TEST_DATABASE_URL_CI:-postgres://postgres@127.0.0.1:5432/postgres}"
cleanup() { :; }

pg_ready() { command -v pg_isready >/dev/null && pg_isready -q -d "$1"; }

if ! pg_ready "$PG_URL"; then
  echo "ci: no PostgreSQL at $PG_URL; starting a private one"
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PGDATA=$(mktemp -d); chown postgres: "$PGDATA"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -o "-h 127.0.0.1 -p 55432 -k $PGDATA -c fsync=off" start >/dev/null
  cleanup() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true; }
  PG_URL=postgres://postgres@127.0.0.1:55432/postgres
  export PATH="$PGBIN:$PATH"   # pg_dump for the canary test
fi
command -v pg_dump >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }
