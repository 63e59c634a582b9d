#!/usr/bin/env bash
# Detection benchmark (issue: compliance engine): 1,000,000 occurrences, 10,000 past due, the
# job against the bare SQL doing the same detection and insertion, on SQLite and PostgreSQL.
# Usage: bench/detection.sh            (PostgreSQL at $BENCH_PG_URL, default local trust auth)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
PG="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo bench --bench detection --no-run -q
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores =="
cargo bench --bench detection -q
BENCH_DATABASE_URL="$PG" cargo bench --bench detection -q
