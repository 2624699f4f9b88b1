#!/usr/bin/env bash
# `make test`'s test run: the built test binary (`swift build --build-tests`) in two processes at
# once, the real-server suites in one and every other test in the other, and their output printed
# one after the other.
#
# Why two: Swift Testing runs a process's tests on the cooperative thread pool, as wide as the
# machine's cores (two here). Most tests are synchronous and hold a pool thread while a child runs
# (the `hotshard` binary, tshark, a broker booting), so every `await` of the serialized real-server
# suites (RealServerSuites) resumed behind all of them: in one process the first of those tests
# took 293 s (17 s alone) and the rest ran only after every other test had finished. In a process
# of their own they run from the start. `swift test` cannot be run twice at once: each invocation
# holds the lock on `.build`, so this runs the test binary itself, as `swift test` does.
#
# Usage: run-tests.sh [debug|release]   (the configuration the tests were built in; debug)
set -uo pipefail
cd "$(dirname "$0")/../.."

configuration=${1:-debug}
binary=.build/$configuration/hotshardPackageTests.xctest
if [[ ! -x $binary ]]; then
    echo "run-tests.sh: $binary is not built: run \`swift build --build-tests\` first" >&2
    exit 2
fi
[[ -t 1 ]] || export NO_COLOR=1

# The shards partition the tests: the second skips what the first takes. AMQPLoadTests stays with
# the other tests, where it has always passed: in the real-server process, at the start of the run
# and the busiest time of the machine, one of three runs counted 599 of 600 unconfirmed publishes
# as delivered (see the note on issue 21's session of 2026-12-07).
names=("real servers" "everything else")
arguments=("--filter RealServerSuites --skip AMQPLoadTests" "--skip RealServerSuites/(?!AMQPLoadTests)")

logs=$(mktemp -d "${TMPDIR:-/tmp}/hotshard-tests.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$logs"' EXIT
pids=()
for index in "${!names[@]}"; do
    # shellcheck disable=SC2086 # the arguments are words on purpose
    "$binary" --testing-library swift-testing ${arguments[$index]} >"$logs/$index.log" 2>&1 &
    pids+=($!)
done

failed=0
summary=()
for index in "${!names[@]}"; do
    status=0
    wait "${pids[$index]}" || status=$?
    echo "=== tests: ${names[$index]} (${arguments[$index]}) ==="
    cat "$logs/$index.log"
    last=$(grep -E "Test run with [0-9]+ tests?" "$logs/$index.log" | tail -1)
    summary+=("${names[$index]}: ${last:-no summary line} (exit $status)")
    ((status == 0)) || failed=1
done

echo "=== tests: summary ==="
printf '%s\n' "${summary[@]}"
exit $failed
