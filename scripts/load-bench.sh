#!/usr/bin/env bash
# Closed-loop load, side by side with redis-benchmark against the same redis-server on loopback:
# same connections, pipeline depth and request count, GET over 100,000 random keys. Prints
# requests/s and client CPU time (user + system, from /usr/bin/time -v) per request for both.
#
#   scripts/load-bench.sh [HOTSHARD_BINARY] [REQUESTS] [CONNECTIONS] [PIPELINE]
#
# HOTSHARD_BINARY defaults to .build/release/hotshard (swift build -c release --product hotshard).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/hotshard}
requests=${2:-1000000}
connections=${3:-50}
pipeline=${4:-16}
port=${PORT:-16479}
work=$(mktemp -d)
trap 'kill -9 $server 2>/dev/null || true; rm -rf "$work"' EXIT

redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done

cpu() {  # user+sys seconds from time -v output
  awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$1"
}

echo "== redis-benchmark -t get -c $connections -P $pipeline -n $requests -r 100000"
/usr/bin/time -v -o "$work/rb.time" redis-benchmark -p "$port" -t get -c "$connections" -P "$pipeline" -n "$requests" -r 100000 -q \
  | tr '\r' '\n' | grep -E "GET:" | tail -1 | tee "$work/rb.out"
rb_rate=$(grep -oE '[0-9.]+ requests per second' "$work/rb.out" | awk '{print $1}')
rb_cpu=$(cpu "$work/rb.time")

cat > "$work/bench.yaml" <<YAML
target: redis://127.0.0.1:$port
connections: $connections
pipeline: $pipeline
arrival: closed
requests: $requests
keys: {count: 100000, format: "key:{n:012}", distribution: uniform}
operations: [{op: GET}]
YAML
echo "== hotshard load (closed loop, $connections connections, pipeline $pipeline, $requests requests)"
/usr/bin/time -v -o "$work/hs.time" "$binary" load "$work/bench.yaml" --json "$work/hs.json" --quiet
hs_rate=$(python3 -c "import json;d=json.load(open('$work/hs.json'));print(round(d['load']['actualRate']))")
hs_done=$(python3 -c "import json;d=json.load(open('$work/hs.json'));print(d['load']['completed'])")
hs_cpu=$(cpu "$work/hs.time")
hs_run_cpu=$(python3 -c "import json;d=json.load(open('$work/hs.json'));print('%.2f' % d['load']['clientCPUSeconds'])")

printf '\n%-16s %14s %12s %16s\n' client "requests/s" "CPU s" "CPU µs/request"
printf '%-16s %14.0f %12s %16.2f\n' redis-benchmark "$rb_rate" "$rb_cpu" "$(echo "$rb_cpu * 1000000 / $requests" | bc -l)"
printf '%-16s %14.0f %12s %16.2f   (whole process, incl. writing the result JSON)\n' hotshard "$hs_rate" "$hs_cpu" "$(echo "$hs_cpu * 1000000 / $hs_done" | bc -l)"
printf '%-16s %14s %12s %16.2f   (the load itself: getrusage around the run)\n' "hotshard (run)" "" "$hs_run_cpu" "$(echo "$hs_run_cpu * 1000000 / $hs_done" | bc -l)"
