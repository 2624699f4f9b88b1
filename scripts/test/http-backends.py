#!/usr/bin/env python3
"""Tiny HTTP/1.1 backends for placement tests: one process listens on every HOST:PORT given
(IPv4 or [IPv6]) and answers each GET with its own port as the body, so a test behind a proxy
sees which backend got each request. A GET /hold/... is answered only once any backend gets
GET /release (later holds wait for the next one); GET /held answers "port=n,…" with the requests held per port right now. Writes
READY_FILE once every port is bound.

    python3 scripts/http-backends.py READY_FILE 127.0.0.1:8001 [::1]:8002 ...
"""
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

release = [threading.Event()]
lock = threading.Lock()
held = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: without TCP_NODELAY each reply waits for a delayed ACK.
    disable_nagle_algorithm = True

    def parse_request(self):
        # Python splits the request line on any Unicode space of Latin-1 (0x85, 0xa0 …); the
        # target's raw bytes ≥ 0x80 only need to pass through, so they are blanked first.
        self.raw_requestline = bytes(b if b < 0x80 else 0x78 for b in self.raw_requestline)
        return super().parse_request()

    def do_GET(self):
        port = self.server.server_address[1]
        if self.path.startswith("/hold/"):
            with lock:
                held[port] = held.get(port, 0) + 1
                event = release[0]
            event.wait(120)
            with lock:
                held[port] -= 1
            body = str(port)
        elif self.path == "/release":
            with lock:
                release[0].set()
                release[0] = threading.Event()
            body = "released"
        elif self.path == "/held":
            with lock:
                body = ",".join("%d=%d" % item for item in sorted(held.items()))
        else:
            body = str(port)
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True


class Server4(ThreadingHTTPServer):
    daemon_threads = True


def main():
    ready, addresses = sys.argv[1], sys.argv[2:]
    servers = []
    for address in addresses:
        host, port = address.rsplit(":", 1)
        if host.startswith("["):
            servers.append(Server6((host[1:-1], int(port)), Handler))
        else:
            servers.append(Server4((host, int(port)), Handler))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(ready, "w") as f:
        f.write("ready\n")
    threading.Event().wait()


if __name__ == "__main__":
    main()
