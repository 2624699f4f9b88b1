#!/usr/bin/env bash
# Open-loop rate check: 20,000 GET/s for 10 s against redis-server on loopback; prints the
# requests sent in each second (target 20,000 ± 1%) and both latency summaries.
#
#   scripts/bench/load-rate.sh [HOTSHARD_BINARY] [RATE] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-.build/release/hotshard}
rate=${2:-20000}
seconds=${3:-10}
port=${PORT:-16480}
work=$(mktemp -d)
trap 'kill -9 $server 2>/dev/null || true; rm -rf "$work"' EXIT
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
cat > "$work/rate.yaml" <<YAML
target: redis://127.0.0.1:$port
connections: 8
pipeline: 16
arrival: {kind: constant, rate: $rate}
duration: ${seconds}s
keys: {count: 10000, format: "k:{n}", distribution: uniform}
operations: [{op: GET}]
YAML
"$binary" load "$work/rate.yaml" --json "$work/rate.json" --quiet
python3 - "$work/rate.json" "$rate" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); rate = int(sys.argv[2]); load = d["load"]
sent = [s["sent"] for s in load["seconds"] if s["measured"]][: int(load["measuredSeconds"])]
worst = max(abs(s - rate) / rate for s in sent)
print("sent per second:", sent)
print("worst deviation: %.3f%% (%s)" % (worst * 100, "within 1%" if worst <= 0.01 else "OUTSIDE 1%"))
for name in ("corrected", "service"):
    l = d["latency"][name]
    print("%-9s p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms" % (name, l["p50"]/1e3, l["p99"]/1e3, l["p999"]/1e3, l["max"]/1e3))
print("completed", load["completed"], "errors", load["errors"])
PY
