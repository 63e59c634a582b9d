#!/usr/bin/env bash
# Rebuilds src/ui/static from the pinned npm packages in package-lock.json (build time only; the
# service embeds the result and needs no Node at run time).
#
#   src/ui/frontend/build.sh          rebuild
#   src/ui/frontend/build.sh --check  fail if the committed files differ from a rebuild (CI)
set -euo pipefail
cd "$(dirname "$0")"
OUT=../static
if [[ "${1:-}" == "--check" ]]; then
    OUT=$(mktemp -d /tmp/vigil-static.XXXXXX)
    trap 'rm -rf "$OUT"' EXIT
fi
npm ci --no-audit --no-fund --ignore-scripts >/dev/null
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp/images"
npx sass --no-source-map --style=compressed --load-path=. --quiet-deps --silence-deprecation=import vigil.scss "$OUT.tmp/vigil.css" 2>/dev/null
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$OUT.tmp/"
cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js "$OUT.tmp/"
cp vigil.mjs js-enabled.js "$OUT.tmp/"
cp node_modules/govuk-frontend/dist/govuk/assets/images/favicon.ico node_modules/govuk-frontend/dist/govuk/assets/images/favicon.svg "$OUT.tmp/images/"
cp node_modules/@ministryofjustice/frontend/moj/assets/images/*.svg "$OUT.tmp/images/"
# The packages ship without licence files; both are MIT (their package.json says so).
{
    echo "Built from govuk-frontend $(node -p 'require("govuk-frontend/package.json").version') ($(node -p 'require("govuk-frontend/package.json").license'), Crown copyright, Government Digital Service)"
    echo "and @ministryofjustice/frontend $(node -p 'require("@ministryofjustice/frontend/package.json").version') ($(node -p 'require("@ministryofjustice/frontend/package.json").license'), Crown copyright, Ministry of Justice)."
} >"$OUT.tmp/NOTICE.txt"
if [[ "${1:-}" == "--check" ]]; then
    diff -r "$OUT.tmp" ../static >/dev/null || { diff -rq "$OUT.tmp" ../static; echo "src/ui/static differs from a rebuild: run src/ui/frontend/build.sh and commit" >&2; rm -rf "$OUT.tmp"; exit 1; }
    rm -rf "$OUT.tmp"
    echo "src/ui/static matches the pinned packages"
else
    rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
    echo "rebuilt $(cd "$OUT" && pwd)"
fi
