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
# the other tests, where it ran before the split and where CI's time was measured. (In the
# real-server process one run in three once lost an unconfirmed publish: `load` then ended AMQP
# connections without connection.close; it closes them with the handshake now, AMQPCloseHandler.)
# Each shard's arguments are an array: the skip pattern holds `?`, which an unquoted word would glob.
real_servers=(--filter RealServerSuites --skip AMQPLoadTests)
everything_else=(--skip 'RealServerSuites/(?!AMQPLoadTests)')
names=("real servers" "everything else")

logs=$(mktemp -d "${TMPDIR:-/tmp}/hotshard-tests.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$logs"' EXIT
"$binary" --testing-library swift-testing "${real_servers[@]}" >"$logs/0.log" 2>&1 &
pids=($!)
"$binary" --testing-library swift-testing "${everything_else[@]}" >"$logs/1.log" 2>&1 &
pids+=($!)

failed=0
summary=()
for index in "${!names[@]}"; do
    status=0
    wait "${pids[$index]}" || status=$?
    echo "=== tests: ${names[$index]} ==="
    cat "$logs/$index.log"
    last=$(grep -E "Test run with [0-9]+ tests?" "$logs/$index.log" | tail -1)
    summary+=("${names[$index]}: ${last:-no summary line} (exit $status)")
    ((status == 0)) || failed=1
done

echo "=== tests: summary ==="
printf '%s\n' "${summary[@]}"
exit $failed
