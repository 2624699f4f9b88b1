#!/usr/bin/env bash
# Closed-loop load, side by side with redis-benchmark against the same redis-server on loopback:
# same connections, pipeline depth and request count, GET over 100,000 random keys. Prints
# requests/s and client CPU time (user + system, from /usr/bin/time -v) per request for both.
# Then the same against nginx with wrk (same connections and threads, 10 s, GET of a 3-byte reply),
# unless SKIP_HTTP=1.
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
nginx_pid=
trap 'kill -9 $server $nginx_pid 2>/dev/null || true; rm -rf "$work"' EXIT

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
/usr/bin/time -v -o "$work/hs.time" "$binary" load "$work/bench.yaml" --json "$work/hs.json" --no-html --quiet
hs_rate=$(python3 -c "import json;d=json.load(open('$work/hs.json'));print(round(d['load']['actualRate']))")
hs_done=$(python3 -c "import json;d=json.load(open('$work/hs.json'));print(d['load']['completed'])")
hs_cpu=$(cpu "$work/hs.time")
hs_run_cpu=$(python3 -c "import json;d=json.load(open('$work/hs.json'));print('%.2f' % d['load']['clientCPUSeconds'])")

printf '\n%-16s %14s %12s %16s\n' client "requests/s" "CPU s" "CPU µs/request"
printf '%-16s %14.0f %12s %16.2f\n' redis-benchmark "$rb_rate" "$rb_cpu" "$(echo "$rb_cpu * 1000000 / $requests" | bc -l)"
printf '%-16s %14.0f %12s %16.2f   (whole process, incl. writing the result JSON)\n' hotshard "$hs_rate" "$hs_cpu" "$(echo "$hs_cpu * 1000000 / $hs_done" | bc -l)"
printf '%-16s %14s %12s %16.2f   (the load itself: getrusage around the run)\n' "hotshard (run)" "" "$hs_run_cpu" "$(echo "$hs_run_cpu * 1000000 / $hs_done" | bc -l)"

[ "${SKIP_HTTP:-0}" = 1 ] && exit 0
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "wrk or nginx missing: HTTP comparison skipped"; exit 0; }
http_port=${HTTP_PORT:-16481}
threads=${THREADS:-2}
seconds=${SECONDS_HTTP:-10}
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 100000000;
    server { listen 127.0.0.1:$http_port; location / { return 200 "ok\\n"; } }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >/dev/null 2>&1 &
nginx_pid=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$http_port) 2>/dev/null && break; sleep 0.05; done

echo
echo "== wrk -c $connections -t $threads -d ${seconds}s (nginx)"
/usr/bin/time -v -o "$work/wrk.time" wrk -c "$connections" -t "$threads" -d "${seconds}s" "http://127.0.0.1:$http_port/item" > "$work/wrk.out"
grep -E "Requests/sec|requests in" "$work/wrk.out"
wrk_requests=$(grep -oE '^ *[0-9]+ requests in' "$work/wrk.out" | awk '{print $1}')
wrk_rate=$(grep -oE 'Requests/sec: *[0-9.]+' "$work/wrk.out" | awk '{print $2}')
wrk_cpu=$(cpu "$work/wrk.time")

cat > "$work/http.yaml" <<YAML
target: http://127.0.0.1:$http_port
connections: $connections
threads: $threads
arrival: closed
duration: ${seconds}s
keys: {count: 100000, format: "item{n}", distribution: uniform}
operations: [{op: GET}]
YAML
echo "== hotshard load (closed loop, $connections connections, $threads threads, ${seconds}s, nginx)"
/usr/bin/time -v -o "$work/hsh.time" "$binary" load "$work/http.yaml" --json "$work/hsh.json" --no-html --quiet
hsh_rate=$(python3 -c "import json;d=json.load(open('$work/hsh.json'));print(round(d['load']['actualRate']))")
hsh_done=$(python3 -c "import json;d=json.load(open('$work/hsh.json'));print(d['load']['completed'])")
hsh_cpu=$(cpu "$work/hsh.time")
hsh_run_cpu=$(python3 -c "import json;d=json.load(open('$work/hsh.json'));print('%.2f' % d['load']['clientCPUSeconds'])")
printf '\n%-16s %14s %12s %16s\n' client "requests/s" "CPU s" "CPU µs/request"
printf '%-16s %14.0f %12s %16.2f\n' wrk "$wrk_rate" "$wrk_cpu" "$(echo "$wrk_cpu * 1000000 / $wrk_requests" | bc -l)"
printf '%-16s %14.0f %12s %16.2f   (whole process)\n' hotshard "$hsh_rate" "$hsh_cpu" "$(echo "$hsh_cpu * 1000000 / $hsh_done" | bc -l)"
printf '%-16s %14s %12s %16.2f   (the load itself)\n' "hotshard (run)" "" "$hsh_run_cpu" "$(echo "$hsh_run_cpu * 1000000 / $hsh_done" | bc -l)"
