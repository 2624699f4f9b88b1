import Foundation
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardLoad

/// `synth`: the pcap it writes reads cleanly in tshark, and analysing it gives exactly the
/// profile's requests per key.
@Suite struct SynthTests {
    static let redisProfile = """
        target: redis://127.0.0.1:6379
        connections: 5
        seed: 17
        arrival: {kind: poisson, rate: 4000}
        duration: 2s
        keys: {count: 2000, format: "user:{n:05}", distribution: {kind: zipfian, theta: 0.99}}
        operations:
          - {op: GET, weight: 70}
          - {op: SET, weight: 15}
          - {op: MGET, keys: 4, weight: 5}
          - {op: DEL, weight: 5}
          - {op: INCR, weight: 5}
        values: {choices: [{size: 100, weight: 9}, {size: 3000, weight: 1}]}
        phases:
          - {from: 1s, to: 2s, flash: {key: "sale:item:42", share: 0.2}}
        """

    static let memcachedProfile = """
        target: memcached://127.0.0.1:11211
        connections: 3
        seed: 4
        arrival: {kind: constant, rate: 3000}
        duration: 1s
        keys: {count: 500, format: "s:{n}", distribution: {kind: hotspot}}
        operations:
          - {op: get, weight: 6}
          - {op: multi-get, keys: 5, weight: 2}
          - {op: set, weight: 1}
          - {op: delete, weight: 1}
        values: {size: 2000}
        """

    static let httpProfile = """
        target: http://127.0.0.1:8080
        http: {path: "/product/{key}"}
        connections: 2
        seed: 8
        arrival: {kind: constant, rate: 1000}
        duration: 1s
        keys: {count: 100, format: "p{n:03}", distribution: exponential}
        operations: [{op: GET, weight: 9}, {op: POST, weight: 1}]
        values: {size: 1500}
        """

    /// Writes the profile's capture and returns the true requests per key.
    static func synthesize(_ yaml: String, to path: String) throws -> (truth: [Key: Int], requests: Int) {
        let profile = try ProfileReader.parse(yaml, file: "synth.yaml")
        var truth: [Key: Int] = [:]
        var requests = 0
        try TrafficSynthesizer(profile: profile).write(to: path) { request in
            requests += 1
            for reference in request.keys { truth[reference.key, default: 0] += 1 }
        }
        return (truth, requests)
    }

    static func analyse(_ path: String) throws -> (perKey: [Key: Int], snapshot: AnalysisSnapshot, health: CaptureHealth) {
        let session = try CaptureSession(files: [path])
        let analyzer = HotKeyAnalyzer()
        let decoder = TrafficDecoder(configuration: DecoderConfiguration(), sink: analyzer)
        try session.run(into: decoder)
        decoder.finish(timestampNanos: 0)
        let snapshot = analyzer.snapshot()
        let perKey = Dictionary(uniqueKeysWithValues: snapshot.hotKeys(limit: 1_000_000).map { ($0.key, $0.count) })
        return (perKey, snapshot, session.health)
    }

    @Test(arguments: [("redis", redisProfile), ("memcached", memcachedProfile)])
    func analysingTheCaptureGivesTheProfilesRequestsPerKey(_ name: String, _ yaml: String) throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-synth")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("\(name).pcap").path
        let (truth, requests) = try Self.synthesize(yaml, to: path)
        let (perKey, snapshot, health) = try Self.analyse(path)
        print(
            "synth \(name): \(requests) requests, \(truth.count) keys; analysed \(snapshot.totals.requests) requests, \(perKey.count) keys; malformed \(health.malformed), gaps \(health.gaps)"
        )
        #expect(snapshot.totals.requests == requests)
        #expect(perKey == truth)
        #expect(health.malformed == 0 && health.gaps == 0 && health.truncated == 0)
        #expect(snapshot.totals.byStatus["noReply"] == nil)
    }

    @Test(
        .enabled(if: ExternalTool.find("tshark") != nil, "tshark is not installed: run make setup"),
        arguments: [("redis", redisProfile), ("memcached", memcachedProfile), ("http", httpProfile)])
    func tsharkReadsItWithoutComplaint(_ name: String, _ yaml: String) throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-synth")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("\(name).pcap").path
        _ = try Self.synthesize(yaml, to: path)
        let tshark = try #require(ExternalTool.find("tshark"), "tshark is not installed: run make setup")
        let stats = try ExternalTool.run(tshark, ["-r", path, "-q", "-z", "io,stat,0"])
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(!stats.stdout.lowercased().contains("malformed") && !stats.stderr.lowercased().contains("malformed"))
        // No malformed packets, bad checksums or TCP sequence trouble (lost segments, retransmissions…).
        let problems = try ExternalTool.run(
            tshark,
            [
                "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-Y", "_ws.malformed or tcp.analysis.flags or ip.checksum.status == 0 or tcp.checksum.status == 0",
            ])
        print(
            "tshark \(name): \(stats.stdout.split(separator: "\n").suffix(3).joined(separator: " | ")); problem packets: \(problems.stdout.split(separator: "\n").count)"
        )
        #expect(problems.status == 0, "\(problems.stderr)")
        #expect(problems.stdout.isEmpty, "\(problems.stdout.prefix(2_000))")
    }

    @Test func deterministicUnderTheSeed() throws {
        let directory = try Fixtures.temporaryDirectory("hotshard-synth")
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.pcap").path
        let b = directory.appendingPathComponent("b.pcap").path
        let c = directory.appendingPathComponent("c.pcap").path
        _ = try Self.synthesize(Self.memcachedProfile, to: a)
        _ = try Self.synthesize(Self.memcachedProfile, to: b)
        _ = try Self.synthesize(Self.memcachedProfile.replacingOccurrences(of: "seed: 4", with: "seed: 5"), to: c)
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(bytesA == (try Data(contentsOf: URL(fileURLWithPath: b))))
        #expect(bytesA != (try Data(contentsOf: URL(fileURLWithPath: c))))
    }
}
