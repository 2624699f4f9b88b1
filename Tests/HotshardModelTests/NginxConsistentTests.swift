import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

struct NginxConsistentTests {
    /// The keys sent: request targets "/k/…" as nginx's `$request_uri` holds them (raw, not
    /// percent-decoded). Most are text; every seventh carries bytes that are not UTF-8, sent raw
    /// (nginx takes bytes ≥ 0x80 in the request line); every eleventh a percent-escape, which
    /// nginx hashes as the three characters it is.
    static func targets(_ count: Int) -> [[UInt8]] {
        var rng = SplitMix64(seed: 3)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:~".utf8)
        return (0..<count).map { index in
            var key = Array("/k/".utf8)
            if index % 2 == 0 {
                key += Array("user:\(index)".utf8)
            } else {
                key += (0..<Int(1 + rng.next() % 20)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            }
            if index % 7 == 3 { key += [0xff, 0x80 + UInt8(index % 64), 0xc3] }
            if index % 11 == 5 { key += Array("%2F%e9".utf8) }
            return key
        }
    }

    /// Upstreams of each kind the comparison runs over, weights 1,2,1,3,1.
    static func upstreams(_ family: String) throws -> [ServerSpec] {
        let hosts: [String] =
            switch family {
            case "ipv6": ["::1", "::1", "::1", "::1", "::1"]
            case "mixed": ["127.0.0.1", "::1", "127.0.0.1", "::1", "127.0.0.1"]
            default: ["127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"]
            }
        return try hosts.enumerated().map { index, host in
            ServerSpec(host: host, port: Int(try RealServer.freePort()), weight: [1, 2, 1, 3, 1][index])
        }
    }

    /// A real nginx 1.22 with `hash $request_uri consistent` over five weighted upstreams written
    /// as `server HOST:PORT weight=W` (IPv6 as `[::1]:PORT`), each its own server block answering
    /// with its port: for 5,000 request targets, pipelined on one connection, the upstream nginx
    /// picks is the one `NginxConsistentScheme` computes, for IPv4, IPv6 and mixed upstreams.
    @Test(
        .enabled(if: RealServer.isAvailable(.nginx), "needs nginx (make setup)"),
        arguments: ["ipv4", "ipv6", "mixed"])
    func placementsEqualRealNginx(_ family: String) throws {
        let upstreams = try Self.upstreams(family)
        let server = try RealServer(.nginx) { port, directory in
            """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                keepalive_requests 1000000;
                client_body_temp_path \(directory.path)/body;
                proxy_temp_path \(directory.path)/proxy;
                fastcgi_temp_path \(directory.path)/fastcgi;
                uwsgi_temp_path \(directory.path)/uwsgi;
                scgi_temp_path \(directory.path)/scgi;
                upstream pool {
                    hash $request_uri consistent;
            \(upstreams.map { "        server \($0.description) weight=\($0.weight);" }.joined(separator: "\n"))
                }
                server {
                    listen 127.0.0.1:\(port);
                    location / { proxy_pass http://pool; }
                }
                server {
            \(upstreams.map { "        listen \($0.description);" }.joined(separator: "\n"))
                    location / { return 200 "$server_port"; }
                }
            }
            """
        }
        defer { server.stop() }
        let targets = Self.targets(5000)
        let replies = try HTTPPipeline.get(port: server.port, targets: targets)
        try #require(
            replies.allSatisfy { $0.status == 200 }, "nginx refused a request: \(replies.first { $0.status != 200 }.map { "\($0.status)" } ?? "")")
        let scheme = NginxConsistentScheme(servers: upstreams)
        var equal = 0, shown = 0
        for (target, reply) in zip(targets, replies) {
            let ours = String(upstreams[scheme.node(for: Key(target))].port)
            if ours == reply.body {
                equal += 1
            } else if shown < 5 {
                shown += 1
                Issue.record("\(Key(target).escaped): ours \(ours), nginx \(reply.body)")
            }
        }
        #expect(equal == targets.count, "\(family): \(equal)/\(targets.count) equal")
        print("nginx-consistent \(family) weights 1,2,1,3,1: \(equal)/\(targets.count) equal")
    }
}
