#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (default 60 s each):
#   bash fuzz/run.sh [SECONDS] [TARGET...]
# cargo-fuzz passes nightly-only flags (-Zsanitizer=address); RUSTC_BOOTSTRAP=1 lets the
# machine's stable toolchain accept them, since no nightly toolchain can be installed here.
# The first build compiles the whole service with coverage and AddressSanitizer (~12 min on
# 2 cores). A crash stops the run with a non-zero exit and leaves the input in
# fuzz/artifacts/<target>/; replay it with `cargo fuzz run <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(normalisers envelope jwt_header schedule)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  # Seeds: the committed examples (valid and near-valid inputs) start the search close to
  # the interesting paths; the corpus itself is not committed.
  [ -d "fuzz/seeds/$target" ] && cp -n fuzz/seeds/"$target"/* "fuzz/corpus/$target/" 2>/dev/null || true
  echo "== fuzz $target for ${seconds}s =="
  cargo fuzz run -O "$target" "fuzz/corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 \
    | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==[0-9]+==ERROR|SUMMARY|thread .* panicked|Test unit written)' || true
  # grep hides libFuzzer's chatter; the exit status of cargo fuzz is what counts.
  test "${PIPESTATUS[0]}" -eq 0
done
