import Foundation
import Testing
import HotshardTestSupport

/// `--metrics-listen` on `load`, `replay`, `analyze -i` and `top`: the endpoint serves the
/// Prometheus text format (checked by Prometheus' own `promtool check metrics`), a real Prometheus
/// scraping a load run ends with the result's request count, and a port in use is an error before
/// anything is sent.
@Suite(.serialized)
struct MetricsEndpointTests {
    static let promtool = ExternalTool.find("promtool")
    static let prometheus = ExternalTool.find("prometheus")
    static let canLoad = RealServer.isAvailable(.redis) && BuiltProduct.hotshard != nil

    /// A small Redis profile: 1,500 requests/s of GET and SET over 500 keys named with a double
    /// quote (`k"ey:N`), which the key label must escape.
    static func profile(in directory: URL, port: UInt16, seconds: Int) throws -> String {
        let path = directory.appendingPathComponent("metrics.yaml").path
        let yaml = """
            target: redis://127.0.0.1:\(port)
            connections: 2
            pipeline: 4
            seed: 7
            arrival:
              kind: constant
              rate: 1500
            warmup: 0s
            duration: \(seconds)s
            keys:
              count: 500
              format: "k\\"ey:{n}"
              distribution:
                kind: zipfian
                theta: 0.99
            operations:
              - op: GET
                weight: 80
              - op: SET
                weight: 20
            values:
              size: 32
            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// One HTTP GET on loopback: status line, headers (lower-cased names) and body.
    static func get(port: UInt16, path: String = "/metrics") throws -> (status: String, headers: [String: String], body: String) {
        let socket = try LoopbackSocket(port: port, receiveTimeoutSeconds: 5)
        try socket.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        while (try? socket.fill()) != nil {}
        let text = String(decoding: socket.buffer, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return ("", [:], "") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (lines.first ?? "", headers, String(text[split.upperBound...]))
    }

    /// Polls the endpoint until `ready` holds for a 200 response (at most `seconds`).
    static func scrape(port: UInt16, seconds: Double = 15, until ready: (String) -> Bool) throws -> (headers: [String: String], body: String) {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            if let response = try? get(port: port), response.status.contains("200") {
                last = response.body
                if ready(response.body) { return (response.headers, response.body) }
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("the endpoint on port \(port) never served what was awaited; last:\n\(last.prefix(2_000))")
        return ([:], last)
    }

    /// `promtool check metrics` on a scraped body: exit status 0 and nothing on stderr.
    static func checkWithPromtool(_ body: String) throws {
        let promtool = try #require(promtool)
        let check = try ExternalTool.run(promtool, ["check", "metrics"], stdin: Data(body.utf8))
        #expect(check.status == 0, "promtool check metrics: \(check.stdout) \(check.stderr)")
        #expect(check.stdout.isEmpty && check.stderr.isEmpty, "promtool lint: \(check.stdout) \(check.stderr)")
    }

    /// The value of a sample (`name{labels} value`) in an exposition body.
    static func sample(_ body: String, _ series: String) -> Double? {
        for line in body.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    static func start(_ arguments: [String], stderr: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(BuiltProduct.hotshard))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        if let stderr {
            FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.runWithUnblockedSignals()
        return process
    }

    struct LoadResult: Decodable {
        struct Totals: Decodable {
            let requests: Int
            let byCommand: [String: Int]
        }
        let totals: Totals
    }

    @Test(.enabled(if: canLoad && promtool != nil, "needs redis-server, promtool (Debian prometheus) and the built hotshard: skipped"))
    func loadEndpointPassesPromtool() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-metrics-load")
        let port = try RealServer.freePort()
        let json = directory.appendingPathComponent("load.json").path
        let load = try Self.start([
            "load", try Self.profile(in: directory, port: server.port, seconds: 3), "--quiet", "--no-html", "--json", json,
            "--metrics-listen", "127.0.0.1:\(port)", "--metrics-top", "5", "--metrics-linger", "3",
        ])
        defer { if load.isRunning { load.terminate() } }
        // Mid-run: requests counted, keys and latency present.
        let live = try Self.scrape(port: port) { (Self.sample($0, "hotshard_requests_total{command=\"GET\"}") ?? 0) > 0 }
        #expect(live.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(live.body.contains("hotshard_corrected_latency_seconds_bucket{le=\"+Inf\"}"))
        #expect(live.body.contains("hotshard_service_latency_seconds_count"))
        // The key `k"ey:N` as the format escapes it.
        #expect(live.body.contains("hotshard_key_requests_total{key=\"k\\\"ey:"))
        #expect(live.body.split(separator: "\n").filter { $0.hasPrefix("hotshard_key_requests_total{") }.count <= 5)
        try Self.checkWithPromtool(live.body)
        // Final: the result's numbers (on a slow machine the first scrape may already have read
        // them, and the run then ended its linger).
        let final =
            Self.sample(live.body, "hotshard_run_finished") == 1
            ? live : try Self.scrape(port: port) { Self.sample($0, "hotshard_run_finished") == 1 }
        try Self.checkWithPromtool(final.body)
        load.waitUntilExit()
        #expect(load.terminationStatus == 0 || load.terminationStatus == 4)
        let result = try JSONDecoder().decode(LoadResult.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        for (command, count) in result.totals.byCommand {
            #expect(Self.sample(final.body, "hotshard_requests_total{command=\"\(command)\"}") == Double(count))
        }
    }

    @Test(.enabled(if: canLoad && promtool != nil, "needs redis-server, promtool (Debian prometheus) and the built hotshard: skipped"))
    func replayEndpointPassesPromtool() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-metrics-replay")
        let pcap = directory.appendingPathComponent("traffic.pcap").path
        let synth = try ExternalTool.run(
            try #require(BuiltProduct.hotshard),
            ["synth", try Self.profile(in: directory, port: 6379, seconds: 1), "-o", pcap])
        try #require(synth.status == 0, "synth: \(synth.stderr)")
        let port = try RealServer.freePort()
        let replay = try Self.start([
            "replay", pcap, "--target", "redis://127.0.0.1:\(server.port)", "--rate", "1000", "--loop", "0", "--duration", "3s",
            "--quiet", "--no-html", "--json", directory.appendingPathComponent("replay.json").path,
            "--metrics-listen", "127.0.0.1:\(port)", "--metrics-linger", "3",
        ])
        defer { if replay.isRunning { replay.terminate() } }
        let live = try Self.scrape(port: port) { (Self.sample($0, "hotshard_requests_total{command=\"GET\"}") ?? 0) > 0 }
        #expect(live.body.contains("hotshard_info{command=\"replay\""))
        try Self.checkWithPromtool(live.body)
        replay.waitUntilExit()
    }

    @Test(
        .enabled(
            if: getuid() == 0 && canLoad && promtool != nil,
            "needs root for live capture, redis-server, promtool (Debian prometheus) and the built hotshard: skipped"))
    func analyzeLiveEndpointPassesPromtool() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-metrics-analyze")
        let port = try RealServer.freePort()
        let analyze = try Self.start([
            "analyze", "-i", "lo", "--port", "resp=\(server.port)", "--filter", "tcp port \(server.port)", "--duration", "4",
            "--quiet", "--no-html", "--json", directory.appendingPathComponent("live.json").path,
            "--metrics-listen", "127.0.0.1:\(port)",
        ])
        defer { if analyze.isRunning { analyze.terminate() } }
        _ = try Self.scrape(port: port) { $0.contains("hotshard_capture_packets_total") }
        let redis = try RedisConnection(port: server.port)
        for index in 0..<50 { _ = try redis.call("SET", "live:\(index)", "v") }
        let live = try Self.scrape(port: port) { (Self.sample($0, "hotshard_requests_total{command=\"SET\"}") ?? 0) >= 50 }
        #expect(live.body.contains("hotshard_capture_kernel_drops_total"))
        try Self.checkWithPromtool(live.body)
        analyze.waitUntilExit()
    }

    /// A capture agent's counters stay cumulative across rotations: scraped through three one-second
    /// intervals of traffic they never go back, and the final one is every SET sent.
    @Test(
        .enabled(
            if: getuid() == 0 && canLoad,
            "needs root for live capture, redis-server and the built hotshard: skipped"))
    func rotatingAgentCountersNeverGoBack() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-metrics-rotate")
        let port = try RealServer.freePort()
        let agent = try Self.start([
            "analyze", "-i", "lo", "--port", "resp=\(server.port)", "--filter", "tcp port \(server.port)", "--duration", "30",
            "--rotate", "1s", "--output-dir", directory.appendingPathComponent("intervals").path, "--quiet",
            "--metrics-listen", "127.0.0.1:\(port)", "--metrics-linger", "5",
        ])
        defer { if agent.isRunning { agent.terminate() } }
        _ = try Self.scrape(port: port) { $0.contains("hotshard_capture_packets_total") }
        let redis = try RedisConnection(port: server.port)
        var seen: [Double] = []
        for round in 0..<3 {
            for index in 0..<50 { _ = try redis.call("SET", "rotate:\(round):\(index)", "v") }
            for _ in 0..<6 {
                if let body = try? Self.get(port: port).body { seen.append(Self.sample(body, "hotshard_requests_total{command=\"SET\"}") ?? 0) }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        Thread.sleep(forTimeInterval: 1)
        kill(agent.processIdentifier, SIGINT)
        let final = try Self.scrape(port: port) { Self.sample($0, "hotshard_run_finished") == 1 }
        agent.waitUntilExit()
        seen.append(Self.sample(final.body, "hotshard_requests_total{command=\"SET\"}") ?? 0)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 <= $1 }, "\(seen)")
        #expect(seen.last == 150, "\(seen)")
    }

    @Test(
        .enabled(
            if: getuid() == 0 && canLoad && promtool != nil && ExternalTool.find("tmux") != nil,
            "needs root for live capture, tmux, redis-server, promtool (Debian prometheus) and the built hotshard: skipped"))
    func topEndpointPassesPromtool() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-metrics-top")
        let port = try RealServer.freePort()
        let session = "hotshard-metrics-\(getpid())"
        TopCommandTests.startInTmux(
            session,
            "\(TopCommandTests.binary) top -i lo --port resp=\(server.port) --filter \"tcp port \(server.port)\" --interval 0.5 "
                + "--duration 6 --json \(directory.appendingPathComponent("top.json").path) --no-html --metrics-listen 127.0.0.1:\(port)")
        defer { _ = try? ExternalTool.run(TopCommandTests.tmux, ["kill-session", "-t", session]) }
        _ = try Self.scrape(port: port) { $0.contains("hotshard_capture_packets_total") }
        let redis = try RedisConnection(port: server.port)
        for index in 0..<50 { _ = try redis.call("GET", "top:\(index % 7)") }
        let live = try Self.scrape(port: port) { (Self.sample($0, "hotshard_requests_total{command=\"GET\"}") ?? 0) >= 50 }
        #expect(live.body.contains("hotshard_info{command=\"top\""))
        #expect(live.body.contains("hotshard_key_requests_total{key=\"top:"))
        try Self.checkWithPromtool(live.body)
    }

    /// A real Prometheus (not the system service: its own process, storage and port) scrapes a
    /// load run every second; at the end its `hotshard_requests_total`, summed over commands,
    /// equals the result's request count. `--metrics-linger` keeps the endpoint up for that last scrape.
    @Test(
        .enabled(
            if: canLoad && prometheus != nil,
            "needs redis-server, prometheus (Debian prometheus) and the built hotshard: skipped"))
    func prometheusScrapeEqualsResult() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-metrics-prometheus")
        let metricsPort = try RealServer.freePort()
        let prometheusPort = try RealServer.freePort()
        let config = directory.appendingPathComponent("prometheus.yml")
        try """
        global:
          scrape_interval: 1s
          scrape_timeout: 900ms
        scrape_configs:
          - job_name: hotshard
            static_configs:
              - targets: ["127.0.0.1:\(metricsPort)"]
        """.write(to: config, atomically: true, encoding: .utf8)
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: try #require(Self.prometheus))
        prometheus.arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb").path)",
            "--web.listen-address=127.0.0.1:\(prometheusPort)",
        ]
        prometheus.standardOutput = FileHandle.nullDevice
        prometheus.standardError = FileHandle.nullDevice
        try prometheus.runWithUnblockedSignals()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }
        let json = directory.appendingPathComponent("load.json").path
        let load = try Self.start([
            "load", try Self.profile(in: directory, port: server.port, seconds: 3), "--quiet", "--no-html", "--json", json,
            "--metrics-listen", "127.0.0.1:\(metricsPort)", "--metrics-linger", "10",
        ])
        load.waitUntilExit()
        #expect(load.terminationStatus == 0 || load.terminationStatus == 4)
        let result = try JSONDecoder().decode(LoadResult.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(result.totals.requests > 3_000)
        // The final scrape has happened (the run lingered until it did); ask Prometheus. The target is
        // gone by now and its series are marked stale: the last sample is read over a range.
        var scraped: Double?
        for _ in 0..<50 {
            if let response = try? Self.get(
                port: prometheusPort, path: "/api/v1/query?query=sum%28last_over_time%28hotshard_requests_total%5B1m%5D%29%29"),
                let data = response.body.data(using: .utf8),
                let value = Self.instantValue(data)
            {
                scraped = value
                if value == Double(result.totals.requests) { break }
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(scraped == Double(result.totals.requests))
    }

    /// The value of a Prometheus instant-query answer with one sample.
    static func instantValue(_ data: Data) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let payload = object["data"] as? [String: Any], let results = payload["result"] as? [[String: Any]],
            let first = results.first, let value = first["value"] as? [Any], value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }

    @Test(.enabled(if: canLoad, "needs redis-server and the built hotshard: skipped"))
    func portInUseIsAnErrorBeforeTheRun() throws {
        let server = try RealServer(.redis)
        defer { server.stop() }
        let directory = try Fixtures.temporaryDirectory("hotshard-metrics-busy")
        let (busy, address) = try LoopbackSocket.boundDescriptor(Int32(SOCK_STREAM.rawValue))
        defer { close(busy) }
        #expect(listen(busy, 1) == 0)
        let port = UInt16(bigEndian: address.sin_port)
        let json = directory.appendingPathComponent("load.json").path
        let run = try ExternalTool.run(
            try #require(BuiltProduct.hotshard),
            [
                "load", try Self.profile(in: directory, port: server.port, seconds: 1), "--quiet", "--no-html", "--json", json,
                "--metrics-listen", "127.0.0.1:\(port)",
            ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--metrics-listen 127.0.0.1:\(port): the address is in use"), "\(run.stderr)")
        // Nothing was sent and nothing written.
        #expect(!FileManager.default.fileExists(atPath: json))
        let stats = try RedisConnection(port: server.port).call("INFO", "commandstats")
        if case .bulk(let bytes?) = stats {
            #expect(!String(decoding: bytes, as: UTF8.self).contains("cmdstat_get"))
        }
    }
}
