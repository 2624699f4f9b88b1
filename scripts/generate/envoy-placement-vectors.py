#!/usr/bin/env python3
"""Envoy ring-hash and Maglev placements, transcribed independently from Envoy's C++ source
(envoyproxy/envoy, main as of 2026; files and the parts used):

  source/extensions/load_balancing_policies/common/thread_aware_lb_impl.cc
      normalizeHostWeights: weight / sum (doubles); min and max normalised weights
  source/extensions/load_balancing_policies/common/thread_aware_lb_impl.h
      HashingLoadBalancer::hashKey: host->address()->asString()
  source/common/network/address_impl.cc
      Ipv6Instance: "[" + inet_ntop(addr) + "]:" + port; Ipv4Instance: "a.b.c.d:port"
  source/extensions/load_balancing_policies/ring_hash/ring_hash_lb.cc
      Ring::Ring: scale, running current/target hashes, xxHash64("key_i"), sort by hash;
      Ring::chooseHost: the ketama binary search
  source/extensions/load_balancing_policies/maglev/maglev_lb.cc
      constructMaglevTableInternal: hosts sorted by hash key; offset, skip;
      OriginalMaglevTable::constructImplementationInternals: weighted turns; chooseHost: hash % M

xxHash64 (seeded) is written here from the xxHash specification, not taken from Hotshard.
Writes Tests/Fixtures/model/envoy-placements.txt; HotshardModelTests/EnvoyPlacementVectorTests
reads it. Run: python3 scripts/generate/envoy-placement-vectors.py > Tests/Fixtures/model/envoy-placements.txt
"""
import math
import socket

M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                      0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def xx_round(acc, lane):
    acc = (acc + lane * P2) & M64
    acc = rotl(acc, 31)
    return (acc * P1) & M64


def xx_merge(acc, val):
    acc ^= xx_round(0, val)
    return (acc * P1 + P4) & M64


def xxh64(data, seed=0):
    n = len(data)
    i = 0
    if n >= 32:
        v1 = (seed + P1 + P2) & M64
        v2 = (seed + P2) & M64
        v3 = seed & M64
        v4 = (seed - P1) & M64
        while i + 32 <= n:
            v1 = xx_round(v1, int.from_bytes(data[i:i + 8], "little"))
            v2 = xx_round(v2, int.from_bytes(data[i + 8:i + 16], "little"))
            v3 = xx_round(v3, int.from_bytes(data[i + 16:i + 24], "little"))
            v4 = xx_round(v4, int.from_bytes(data[i + 24:i + 32], "little"))
            i += 32
        h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) & M64
        for v in (v1, v2, v3, v4):
            h = xx_merge(h, v)
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while i + 8 <= n:
        h ^= xx_round(0, int.from_bytes(data[i:i + 8], "little"))
        h = (rotl(h, 27) * P1 + P4) & M64
        i += 8
    if i + 4 <= n:
        h ^= (int.from_bytes(data[i:i + 4], "little") * P1) & M64
        h = (rotl(h, 23) * P2 + P3) & M64
        i += 4
    while i < n:
        h ^= (data[i] * P5) & M64
        h = (rotl(h, 11) * P1) & M64
        i += 1
    h ^= h >> 33
    h = (h * P2) & M64
    h ^= h >> 29
    h = (h * P3) & M64
    h ^= h >> 32
    return h


def as_string(host, port):
    """Address::Instance::asString() for an IP literal: inet_ntop's form, IPv6 in brackets."""
    if ":" in host:
        return "[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, host)), port)
    return "%s:%d" % (socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, host)), port)


def normalise(hosts):
    total = sum(w for _, _, w in hosts)
    weights = [w * 1.0 / total for _, _, w in hosts]
    return weights, min(weights), max(weights)


def ring_hash(hosts, min_ring=1024, max_ring=8 * 1024 * 1024):
    weights, min_w, _ = normalise(hosts)
    scale = min(math.ceil(min_w * min_ring) / min_w, float(max_ring))
    ring = []
    current = target = 0.0
    for index, (host, port, _) in enumerate(hosts):
        key = as_string(host, port)
        target += scale * weights[index]
        i = 0
        while current < target:
            ring.append((xxh64(("%s_%d" % (key, i)).encode()), index))
            i += 1
            current += 1
    ring.sort(key=lambda entry: entry[0])
    return ring


def ring_choose(ring, h):
    lowp, highp = 0, len(ring)
    while True:
        midp = (lowp + highp) // 2
        if midp == len(ring):
            midp = 0
            break
        midval = ring[midp][0]
        midval1 = 0 if midp == 0 else ring[midp - 1][0]
        if midval >= h > midval1:
            break
        if midval < h:
            lowp = midp + 1
        else:
            highp = midp - 1
        if lowp > highp:
            midp = 0
            break
    return ring[midp][1]


def maglev(hosts, size=65537):
    weights, _, max_w = normalise(hosts)
    entries = sorted((as_string(h, p).encode(), index, weights[index]) for index, (h, p, _) in enumerate(hosts))
    build = []
    for key, index, weight in entries:
        build.append({"host": index, "offset": xxh64(key, 0) % size, "skip": xxh64(key, 1) % (size - 1) + 1,
                      "weight": weight, "target": 0.0, "next": 0})
    table = [None] * size
    filled = 0
    iteration = 1
    while filled < size:
        for entry in build:
            if filled >= size:
                break
            if iteration * entry["weight"] < entry["target"]:
                continue
            entry["target"] += max_w
            c = (entry["offset"] + entry["skip"] * entry["next"]) % size
            while table[c] is not None:
                entry["next"] += 1
                c = (entry["offset"] + entry["skip"] * entry["next"]) % size
            table[c] = entry["host"]
            entry["next"] += 1
            filled += 1
        iteration += 1
    return table


def keys(count):
    """The keys both sides generate: text keys, and every fifth one bytes that are not UTF-8."""
    out = []
    for i in range(count):
        if i % 5 == 4:
            out.append(bytes([i % 256, 0xFF, 0x80]) + b"bin" + str(i).encode())
        else:
            out.append(("key:%d" % i).encode())
    return out


HOST_SETS = [
    ("ipv4-in-order-equal", [("10.0.0.%d" % i, 80, 1) for i in range(1, 6)]),
    ("ipv4-out-of-order-weighted", [("10.0.0.9", 8080, 3), ("10.0.0.2", 80, 7), ("192.168.1.10", 443, 1),
                                    ("10.0.0.10", 80, 5), ("172.16.0.1", 9000, 2)]),
    ("ipv6-weighted", [("::1", 8001, 3), ("2001:db8::1", 80, 7), ("fe80::1", 443, 1),
                       ("2001:db8:0:0:0:0:0:2", 80, 5), ("::ffff:10.0.0.1", 80, 2)]),
    ("mixed-out-of-order-weighted", [("2001:db8::a", 80, 3), ("10.0.0.7", 80, 7), ("::1", 9000, 1),
                                     ("10.0.0.3", 80, 5), ("192.168.0.1", 80, 2)]),
]


def main():
    n = 5000
    print("# Envoy ring_hash and maglev placements, computed by scripts/generate/envoy-placement-vectors.py")
    print("# from Envoy's source (envoyproxy/envoy main, 2026): ring_hash/ring_hash_lb.cc,")
    print("# maglev/maglev_lb.cc, common/thread_aware_lb_impl.{cc,h}, common/network/address_impl.cc.")
    print("# Keys: %d per set, key i = 'key:i', or for i %% 5 == 4 the bytes [i %% 256, 0xff, 0x80] + 'bin' + i." % n)
    print("# hosts SET host:port:weight,...   (as written; Envoy hashes inet_ntop's form)")
    print("# ring-hash SET DIGITS / maglev SET DIGITS: the host index (in the order written) per key")
    print("# maglev-table SET XXH64: xxHash64 of the whole 65537-entry table, one byte (host index) per entry")
    ks = keys(n)
    for name, hosts in HOST_SETS:
        written = ",".join(("[%s]:%d:%d" if ":" in h else "%s:%d:%d") % (h, p, w) for h, p, w in hosts)
        print("hosts %s %s" % (name, written))
        ring = ring_hash(hosts)
        print("ring-hash %s %s" % (name, "".join(str(ring_choose(ring, xxh64(k))) for k in ks)))
        table = maglev(hosts)
        print("maglev %s %s" % (name, "".join(str(table[xxh64(k) % 65537]) for k in ks)))
        print("maglev-table %s %d" % (name, xxh64(bytes(table))))


if __name__ == "__main__":
    main()
