#!/usr/bin/env python3
"""A plain memcached text-protocol client on sockets, closed loop.

Each of --connections connections writes --pipeline requests at once and writes the next batch
when all their replies are in (as redis-benchmark -P does), until --requests requests are done.
Keys are uniform over --keys items named key:NNNNNNNNNNNN. A get asks for 1 to --multi keys;
--set-ratio of the requests are sets of --value-size bytes. Prints one JSON line: requests,
seconds, requests_per_second.

compare.py uses it to make the memcached capture (multi-key gets and sets) and as the plain
client that `hotshard load` is compared with (single-key gets).
"""
import argparse
import json
import random
import selectors
import socket
import sys
import time


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pending = 0

    def read_replies(self):
        """Consumes the complete replies in the buffer; returns how many completed."""
        done, pos, buf = 0, 0, self.buf
        while self.pending:
            end = buf.find(b"\r\n", pos)
            if end < 0:
                break
            line = bytes(buf[pos:end])
            if line.startswith(b"VALUE "):
                size = int(line.split()[3])
                if len(buf) < end + 2 + size + 2:
                    break
                pos = end + 2 + size + 2
            elif line in (b"END", b"STORED"):
                pos = end + 2
                self.pending -= 1
                done += 1
            else:
                raise RuntimeError(f"unexpected reply line {line[:80]!r}")
        del buf[:pos]
        return done


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--pipeline", type=int, default=16)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--multi", type=int, default=1)
    parser.add_argument("--set-ratio", type=float, default=0.0)
    parser.add_argument("--value-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    value = b"v" * args.value_size
    set_tail = b" 0 0 %d\r\n%s\r\n" % (len(value), value)
    issued = completed = 0

    def batch():
        nonlocal issued
        parts = []
        for _ in range(min(args.pipeline, args.requests - issued)):
            if args.set_ratio and rng.random() < args.set_ratio:
                parts.append(b"set key:%012d%s" % (rng.randrange(args.keys), set_tail))
            else:
                count = rng.randint(1, args.multi)
                parts.append(b"get " + b" ".join(b"key:%012d" % rng.randrange(args.keys) for _ in range(count)) + b"\r\n")
        issued += len(parts)
        return parts

    selector = selectors.DefaultSelector()
    start = time.perf_counter()
    for _ in range(args.connections):
        conn = Connection(args.port)
        parts = batch()
        if not parts:
            conn.sock.close()
            continue
        conn.pending = len(parts)
        conn.sock.sendall(b"".join(parts))
        selector.register(conn.sock, selectors.EVENT_READ, conn)
    while completed < issued:
        for key, _ in selector.select():
            conn = key.data
            data = conn.sock.recv(1 << 16)
            if not data:
                raise RuntimeError("memcached closed the connection")
            conn.buf += data
            completed += conn.read_replies()
            if conn.pending == 0:
                parts = batch()
                if parts:
                    conn.pending = len(parts)
                    conn.sock.sendall(b"".join(parts))
                else:
                    selector.unregister(conn.sock)
                    conn.sock.close()
    seconds = time.perf_counter() - start
    print(json.dumps({"requests": completed, "seconds": seconds, "requests_per_second": completed / seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
