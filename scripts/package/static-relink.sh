#!/usr/bin/env bash
# Links an already-built hotshard again, with the Swift runtime linked in (what
# `swift build --static-swift-stdlib` does at link time), without compiling anything: `make test`
# packages this binary for PackageInstallTests, so the test covers the portable binary without a
# second build of the whole package (a separate static debug build would add ~7 minutes).
#
#   static-relink.sh [debug|release] [OUTPUT]    (default debug, .build/static/CONFIGURATION/hotshard)
#
# Why a relink needs more than `-static-stdlib`: `swift build --static-swift-stdlib` compiles every
# module against the static runtime (lib/swift_static), whose Foundation modules name the archives
# they need (_FoundationICU, CoreFoundation, _FoundationCShims, _FoundationCollections) for the
# linker; objects compiled against the shared runtime do not. So the link command SwiftPM used
# (from its build manifest, .build/CONFIGURATION.yaml) gets `-static-stdlib` and the static
# runtime's own library list, asked from the toolchain by compiling `import Foundation` against it.
# The test targets cannot be compiled against the static runtime (it has no Testing module), which
# is why `make test` relinks instead of building with --static-swift-stdlib.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd -P)
configuration=${1:-debug}
output=${2:-$root/.build/static/$configuration/hotshard}
manifest="$root/.build/$configuration.yaml"
[ -f "$manifest" ] || { echo "static-relink.sh: no $manifest: build first (swift build -c $configuration)" >&2; exit 1; }
swiftc=$(command -v swiftc)

work=$(mktemp -d "${TMPDIR:-/tmp}/hotshard-relink.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo 'import Foundation' > "$work/runtime.swift"
"$swiftc" -static-stdlib -parse-as-library -c "$work/runtime.swift" -o "$work/runtime.o"
"$(dirname "$swiftc")/swift-autolink-extract" "$work/runtime.o" -o "$work/runtime.autolink"

mkdir -p "$(dirname "$output")"
python3 - "$manifest" "$output" "$work/runtime.autolink" <<'PY'
import json, subprocess, sys
manifest, output, autolink = sys.argv[1:4]
link = None
for line in open(manifest):
    line = line.strip()
    if not line.startswith("args: ["):
        continue
    args = json.loads(line[len("args: "):])
    if "-emit-executable" in args and args[args.index("-module-name") + 1] == "hotshard":
        link = args
        break
if link is None:
    sys.exit(f"static-relink.sh: no link command for hotshard in {manifest}")
link[link.index("-o") + 1] = output
if "-static-stdlib" not in link:
    link.insert(link.index("-emit-executable"), "-static-stdlib")
# As one group: the archives refer to each other in both directions (CoreFoundation ↔ _FoundationICU).
# -Xlinker keeps them in this order, between the group's two ends.
group = ["--start-group"] + [flag for flag in open(autolink).read().split() if flag.startswith("-l")] + ["--end-group"]
link += [word for flag in group for word in ("-Xlinker", flag)]
sys.exit(subprocess.run(link).returncode)
PY
echo "static-relink.sh: $output"
