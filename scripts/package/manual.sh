#!/usr/bin/env bash
# Generates hotshard's manual pages, hotshard.1 and one page per subcommand (hotshard.analyze.1 …),
# with swift-argument-parser's generate-manual plugin: it builds the package in CONFIGURATION, runs
# `hotshard --experimental-dump-help` and writes mdoc from the same definitions `--help` prints, so
# help and manual never disagree. The pages land in .build/manual/CONFIGURATION/.
#
#   manual.sh [debug|release]     (default release)
#
# The plugin's own build links hotshard without --static-swift-stdlib (`swift package` has no such
# option): callers that want a static binary build it after this (the Makefile does).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd -P)
configuration=${1:-release}
swift=${SWIFT:-swift}
# The page's date: the commit's (the same source gives the same pages), else today.
date=$(git -C "$root" log -1 --format=%cs 2>/dev/null || date +%F)

"$swift" package --package-path "$root" plugin generate-manual \
    --configuration "$configuration" --multi-page --date "$date"

generated=$(find "$root/.build/plugins" -path '*GenerateManual*' -name hotshard.1 \
    -printf '%T@ %h\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2-)
[ -n "$generated" ] || { echo "manual.sh: the plugin wrote no hotshard.1 under .build/plugins" >&2; exit 1; }
out="$root/.build/manual/$configuration"
rm -rf "$out"
mkdir -p "$out"
cp "$generated"/hotshard*.1 "$out/"
echo "manual.sh: $(ls "$out" | wc -l) pages in ${out#"$root"/}"
