#!/usr/bin/env bash
# Issue 4's bounded-memory figure, end to end through the release binary:
# 3,000,000 requests drawn Zipf(0.99) from 100,000,000 keys (hotshard synth, seed 42: 1,134,251
# distinct keys are requested) analysed with --capacity 10,000. The truth is counted independently, by a regular expression over the
# capture's bytes (each synthesized request lies whole in one packet). Checks: top-100 precision
# >= 0.99, every tracked key's true count inside [count - error, count], every untracked key at
# most the reported minimum, peak resident memory under 200 MB. Exit status 1 when one fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${HOTSHARD_BIN:-.build/release/hotshard}
if [ -n "${BOUNDED_WORK:-}" ]; then
    WORK=$BOUNDED_WORK
else
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT  # the capture is about 600 MB
fi
[ -x "$BIN" ] || swift build -c release --product hotshard
cat > "$WORK/zipf.yaml" <<'YAML'
target: redis://127.0.0.1:6379
connections: 8
pipeline: 4
seed: 42
arrival: {kind: constant, rate: 100000}
requests: 3000000
keys:
  count: 100000000
  format: "user:{n:09}"
  distribution: {kind: zipfian, theta: 0.99}
operations:
  - {op: GET, weight: 9}
  - {op: SET, weight: 1}
values: {size: 16}
YAML
"$BIN" synth "$WORK/zipf.yaml" -o "$WORK/zipf.pcap"
/usr/bin/time -v "$BIN" analyze "$WORK/zipf.pcap" --capacity 10000 --json "$WORK/result.json" --no-html --quiet \
    2> "$WORK/time.txt"
python3 - "$WORK" <<'PY'
import collections, json, re, sys
work = sys.argv[1]
data = open(f"{work}/zipf.pcap", "rb").read()
pattern = re.compile(rb"\*[23]\r\n\$3\r\n(?:GET|SET)\r\n\$14\r\n(user:\d{9})\r\n")
truth = collections.Counter(m.group(1).decode() for m in pattern.finditer(data))
result = json.load(open(f"{work}/result.json"))


def decode_state(compact):
    """The summary state (schema 2: hotshard-binary/1, zlib, base64; see BinaryFormat.swift) as
    plain Python values."""
    import base64, struct, zlib
    raw = zlib.decompress(base64.b64decode(compact["data"]))
    assert raw[:4] == b"HSB1", "not a hotshard binary value"
    table_at = struct.unpack_from("<Q", raw, 4)[0]

    def varint(at):
        value = shift = 0
        while True:
            byte = raw[at]
            at += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value, at
            shift += 7

    count, at = varint(table_at)
    names = []
    for _ in range(count):
        length, at = varint(at)
        names.append(raw[at:at + length].decode())
        at += length

    def value(at):
        tag = raw[at]
        at += 1
        if tag in (0, 1, 2):
            return (None, False, True)[tag], at
        if tag == 3:
            v, at = varint(at)
            return (v >> 1) ^ -(v & 1), at
        if tag == 4:
            return varint(at)
        if tag == 5:
            return struct.unpack_from("<d", raw, at)[0], at + 8
        if tag == 6:
            return struct.unpack_from("<f", raw, at)[0], at + 4
        if tag == 7:
            length, at = varint(at)
            return raw[at:at + length].decode(), at + length
        length, elements = struct.unpack_from("<II", raw, at)
        at += 8
        if tag == 8:
            items = []
            for _ in range(elements):
                item, at = value(at)
                items.append(item)
            return items, at
        members = {}
        for _ in range(elements):
            key, at = varint(at)
            members[names[key]], at = value(at)
        return members, at

    return value(12)[0]


state = decode_state(result["summaryState"])
columns = state["keys"]
tracked, offset = {}, 0
for row, length in enumerate(columns["keyLengths"]):
    key = bytes(columns["keyBytes"][offset:offset + length]).decode()
    offset += length
    tracked[key] = {"count": columns["counts"][row], "error": columns["errors"][row]}
ranked = sorted(truth.items(), key=lambda kv: -kv[1])
cut = ranked[99][1]
reported = [h["key"] for h in result["hotKeys"][:100]]
precision = sum(1 for k in reported if truth[k] >= cut) / 100
outside = [k for k, c in tracked.items() if not (c["count"] - c["error"] <= truth[k] <= c["count"])]
above = [k for k, n in truth.items() if k not in tracked and n > state["minimumCount"]]
rss_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{work}/time.txt").read()).group(1)) / 1024
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", open(f"{work}/time.txt").read()).group(1)
print(f"requests {sum(truth.values()):,} over {len(truth):,} distinct keys, capacity 10,000")
print(f"top-100 precision {precision:.2f} (target >= 0.99)")
print(f"tracked keys with the true count outside their bounds: {len(outside)} of {len(tracked):,}")
print(f"untracked keys above the minimum {state['minimumCount']}: {len(above)}")
print(f"peak resident memory {rss_mb:.0f} MB (target < 200), wall {wall}")
ok = sum(truth.values()) == 3_000_000 and len(truth) >= 1_000_000 and precision >= 0.99 and not outside and not above and rss_mb < 200
sys.exit(0 if ok else 1)
PY
