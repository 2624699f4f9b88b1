import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

struct NginxConsistentTests {
    /// A real nginx with `hash $arg_k consistent` over four weighted upstream servers (its own
    /// server blocks, each answering with its port): for 2,000 keys the upstream nginx picks is
    /// the one `NginxConsistentScheme` computes.
    @Test(.enabled(if: RealServer.isAvailable(.nginx) && ExternalTool.find("curl") != nil, "needs nginx and curl (make setup)"))
    func placementsEqualRealNginx() throws {
        let upstreams = try (0..<4).map { index in
            ServerSpec(host: "127.0.0.1", port: Int(try RealServer.freePort()), weight: [1, 2, 1, 3][index])
        }
        let server = try RealServer(.nginx) { port, directory in
            RealServer.nginxConfig(
                directory: directory, accessLog: false,
                http: """
                        upstream pool {
                            hash $arg_k consistent;
                    \(upstreams.map { "        server \($0.host):\($0.port) weight=\($0.weight);" }.joined(separator: "\n"))
                        }
                        server {
                            listen 127.0.0.1:\(port);
                            location / { proxy_pass http://pool; }
                        }
                        server {
                    \(upstreams.map { "        listen \($0.host):\($0.port);" }.joined(separator: "\n"))
                            location / { return 200 "$server_port\\n"; }
                        }
                    """)
        }
        // nginx started from the test process may not act on SIGTERM; SIGKILL it so stop() returns.
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.stop()
        }
        var rng = SplitMix64(seed: 3)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.".utf8)
        let keys = (0..<2000).map { index -> String in
            if index % 2 == 0 { return "user:\(index)".replacingOccurrences(of: ":", with: "-") }
            return String(decoding: (0..<Int(1 + rng.next() % 20)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self)
        }
        let directory = try Fixtures.temporaryDirectory("hotshard-nginx-chash")
        let config = directory.appendingPathComponent("urls.txt")
        try keys.map { "url = \"http://127.0.0.1:\(server.port)/?k=\($0)\"" }.joined(separator: "\n")
            .write(to: config, atomically: true, encoding: .utf8)
        let curl = try #require(ExternalTool.find("curl"))
        let output = try ExternalTool.run(curl, ["-s", "-K", config.path])
        let answers = output.stdout.split(separator: "\n").map(String.init)
        try #require(answers.count == keys.count, "nginx answered \(answers.count) of \(keys.count): \(output.stderr)")
        let scheme = NginxConsistentScheme(servers: upstreams)
        var mismatches = 0
        for (key, answer) in zip(keys, answers) {
            let ours = String(upstreams[scheme.node(for: Key(key))].port)
            if ours != answer {
                mismatches += 1
                if mismatches < 5 { Issue.record("\(key): ours \(ours), nginx \(answer)") }
            }
        }
        #expect(mismatches == 0)
    }
}
