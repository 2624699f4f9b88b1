#!/usr/bin/env bash
# Makes Tests/Fixtures/amqp/hot-routing-key.pcap.gz and its truth: a throw-away RabbitMQ broker on
# loopback (scripts/test/rabbitmq-test-server.sh), tcpdump on lo, and the pika client's `hot-key`
# scenario (scripts/test/amqp-truth-client.py), whose JSON output is the truth file. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=Tests/Fixtures/amqp
mkdir -p "$out"
port=25672
dir=$(mktemp -d /tmp/hotshard-rabbitmq-fixture.XXXXXX)
chmod 755 "$dir"
bash scripts/test/rabbitmq-test-server.sh start "$dir" "$port" $((port + 1)) $((port + 2))
trap 'bash scripts/test/rabbitmq-test-server.sh stop "$dir"; rm -rf "$dir"' EXIT
tcpdump -i lo -s 0 -U -B 65536 -w "$dir/capture.pcap" "tcp port $port" 2> "$dir/tcpdump.log" &
dump=$!
sleep 1
python3 scripts/test/amqp-truth-client.py "$port" hot-key > "$out/hot-routing-key.truth.json"
sleep 1
kill -INT "$dump"
wait "$dump" || true
cat "$dir/tcpdump.log"
grep -q '^0 packets dropped by kernel' "$dir/tcpdump.log"
gzip -9 -c "$dir/capture.pcap" > "$out/hot-routing-key.pcap.gz"
ls -l "$out"
