#!/usr/bin/env python3
"""Independent ketama placements from uhashring (PyPI), for HotshardModel's tests.

stdin: first line "name:weight name:weight ..." (the point-name base of each server, e.g.
"10.0.0.1" for libmemcached on port 11211, "10.0.0.2:11212" otherwise), then one key per line.
stdout: the server name each key maps to, one per line.
uhashring's ketama: (40 × servers × weight) // Σweight digests per server, names "NAME-i" from 0,
4 points per MD5 digest, key hash = MD5 bytes 0..3 little-endian.
"""
import sys
from uhashring import HashRing

lines = sys.stdin.read().split("\n")
nodes = {}
for item in lines[0].split():
    name, weight = item.rsplit(":", 1)
    nodes[name] = {"weight": int(weight), "vnodes": 40}
ring = HashRing(nodes=nodes, hash_fn="ketama")
out = [ring.get_node(key) for key in lines[1:] if key != ""]
sys.stdout.write("\n".join(out) + "\n")
