import Foundation
import HotshardBytes
import HotshardProtocols
import HotshardTestSupport
import Testing
@testable import HotshardLoad

@Suite struct ProfileTests {
    static let profilesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("profiles")

    static var shippedProfiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: profilesDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func shipsTheProfilesTheIssueNames() {
        for name in ["redis-zipf", "redis-flash-sale", "memcached-hotspot", "memcached-multiget", "http-catalog"] {
            #expect(Self.shippedProfiles.contains("\(name).yaml"))
        }
    }

    @Test(arguments: shippedProfiles)
    func shippedProfileReads(_ name: String) throws {
        let profile = try ProfileReader.read(path: Self.profilesDirectory.appendingPathComponent(name).path)
        #expect(!profile.operations.isEmpty)
        #expect(LoadTarget.isLoopback(profile.target.host))
    }

    @Test func redisZipfFields() throws {
        let profile = try ProfileReader.read(path: Self.profilesDirectory.appendingPathComponent("redis-zipf.yaml").path)
        #expect(profile.target == LoadTarget(scheme: .redis, host: "127.0.0.1", port: 6379))
        #expect(profile.connections == 8 && profile.pipeline == 4 && profile.seed == 42)
        #expect(profile.arrival == .constant(rate: 10_000))
        #expect(profile.durationSeconds == 30 && profile.warmupSeconds == 2)
        #expect(profile.keyCount == 100_000)
        #expect(profile.keyFormat.render(42) == Array("user:0000042".utf8))
        #expect(profile.operations.map(\.kind) == [.get, .set, .multiGet])
        #expect(profile.operations[2].keys == 5)
        #expect(profile.thresholds.map(\.text) == ["p99 < 5ms", "errors < 0.1%", "throughput >= 95%"])
        #expect(profile.thresholds[0].value == 5_000)
        #expect(abs(profile.thresholds[1].value - 0.001) < 1e-12)
    }

    @Test func flashSalePhases() throws {
        let profile = try ProfileReader.read(path: Self.profilesDirectory.appendingPathComponent("redis-flash-sale.yaml").path)
        #expect(profile.phases.count == 2)
        #expect(profile.phases[0].flashKey == Key("sale:item:42"))
        #expect(profile.phases[0].rate == 10_000)
        #expect(profile.phases[1].hotShift == 25_000)
        // During the sale a third of the requests name the flash key; before it, almost none.
        var generator = RequestGenerator(profile: profile, seed: 1)
        let flash = Key("sale:item:42")
        let during = (0..<30_000).filter { _ in generator.next(at: 25).keys.first?.key == flash }.count
        let before = (0..<30_000).filter { _ in generator.next(at: 5).keys.first?.key == flash }.count
        #expect(abs(Double(during) / 30_000 - 0.33) < 0.015)
        #expect(Double(before) / 30_000 < 0.01)
        // The schedule doubles its rate in the sale.
        let schedule = ArrivalSchedule(spec: profile.arrival, phases: profile.phases, seed: 1)
        #expect(schedule.targetRate(at: 10) == 5_000)
        #expect(schedule.targetRate(at: 30) == 10_000)
    }

    struct BadProfile: Sendable, CustomStringConvertible {
        var yaml: String
        var line: Int?
        var field: String
        var says: String
        var description: String { field }
    }

    static let badProfiles: [BadProfile] = [
        BadProfile(
            yaml: "target: redis://10.0.0.5:6379\noperations: [{op: GET}]\n", line: 1, field: "target",
            says: "not a loopback address"),
        BadProfile(
            yaml: "target: redis://127.0.0.1:6379\nconections: 4\noperations: [{op: GET}]\n", line: 2,
            field: "conections", says: "unknown field"),
        BadProfile(
            yaml: "target: redis://127.0.0.1:6379\nkeys:\n  distribution:\n    kind: zipfian\n    theta: 1.5\noperations: [{op: GET}]\n",
            line: 5, field: "keys.distribution.theta", says: "too large"),
        BadProfile(
            yaml: "target: redis://127.0.0.1:6379\noperations:\n  - op: GET\n  - op: HGETALL\n", line: 4,
            field: "operations[1].op", says: "not an operation for redis"),
        BadProfile(
            yaml: "target: redis://127.0.0.1:6379\noperations: [{op: GET}]\nthresholds:\n  - p99 < fast\n", line: 4,
            field: "thresholds[0]", says: "not a time"),
        BadProfile(
            yaml: "target: redis://127.0.0.1:6379\narrival:\n  kind: constant\n  rate: -5\noperations: [{op: GET}]\n",
            line: 4, field: "arrival.rate", says: "too small"),
        BadProfile(
            yaml: "target: redis://127.0.0.1:6379\nduration: soon\noperations: [{op: GET}]\n", line: 2,
            field: "duration", says: "not a duration"),
        BadProfile(yaml: "target: redis://127.0.0.1:6379\n", line: 1, field: "operations", says: "missing"),
        BadProfile(
            yaml: "target: redis://127.0.0.1:6379\nkeys:\n  format: \"user:{x}\"\noperations: [{op: GET}]\n", line: 3,
            field: "keys.format", says: "placeholder"),
        BadProfile(yaml: "target: [unclosed\n", line: 2, field: "", says: "not valid YAML"),
        BadProfile(
            yaml: "target: memcached://127.0.0.1:11211\noperations:\n  - op: get\n    keys: 3\n", line: 4,
            field: "operations[0].keys", says: "only multi-key"),
        BadProfile(
            yaml: "target: memcached://127.0.0.1:11211\nprotocol: meta\noperations:\n  - op: multi-get\n", line: 4,
            field: "operations[0].op", says: "no multi-key get"),
    ]

    @Test(arguments: badProfiles)
    func badProfileNamesFileLineAndField(_ bad: BadProfile) {
        do {
            _ = try ProfileReader.parse(bad.yaml, file: "bad.yaml")
            Issue.record("accepted a bad profile: \(bad.yaml)")
        } catch {
            #expect(error.file == "bad.yaml")
            #expect(error.line == bad.line, "\(error)")
            #expect(error.field == bad.field, "\(error)")
            #expect(error.description.contains(bad.says), "\(error)")
            #expect(error.description.hasPrefix("bad.yaml:"), "\(error)")
        }
    }

    @Test func overridesReplaceTheCommonFields() throws {
        let profile = try ProfileReader.read(path: Self.profilesDirectory.appendingPathComponent("memcached-hotspot.yaml").path)
        var overrides = ProfileOverrides()
        overrides.target = "memcached://127.0.0.1:22122"
        overrides.rate = 300
        overrides.duration = "1500ms"
        overrides.connections = 2
        overrides.pipeline = 16
        overrides.seed = 99
        let changed = try overrides.apply(to: profile)
        #expect(changed.target.port == 22122)
        #expect(changed.arrival == .constant(rate: 300))
        #expect(changed.durationSeconds == 1.5)
        #expect(changed.connections == 2 && changed.pipeline == 16 && changed.seed == 99)
        var remote = ProfileOverrides()
        remote.target = "memcached://192.168.1.10:11211"
        #expect(throws: ProfileError.self) { try remote.apply(to: profile) }
    }

    @Test func loopbackOnly() throws {
        #expect(try LoadTarget(parsing: "redis://localhost:7000").host == "127.0.0.1")
        #expect(try LoadTarget(parsing: "http://[::1]:8080").port == 8080)
        #expect(try LoadTarget(parsing: "memcached://127.3.2.1").port == 11211)
        for bad in ["redis://example.com:6379", "redis://8.8.8.8:6379", "http://0.0.0.0:80", "redis://128.0.0.1:1"] {
            #expect(throws: LoadTarget.Problem.self) { try LoadTarget(parsing: bad) }
        }
    }

    @Test func keyFormats() throws {
        #expect(try KeyFormat("user:{n:07}").render(42) == Array("user:0000042".utf8))
        #expect(try KeyFormat("{n}").render(0) == Array("0".utf8))
        #expect(try KeyFormat("k{n:3}x").render(7) == Array("k  7x".utf8))
        #expect(throws: KeyFormat.Problem.self) { try KeyFormat("no placeholder") }
    }

    /// `key(_:)` renders on the stack (inline keys) or through `render` (longer ones): the same bytes.
    @Test(arguments: ["user:{n:07}", "{n}", "k{n:3}x", "{n:020}", "a-rather-long-prefix:{n:012}:suffix"])
    func keyEqualsRender(template: String) throws {
        let format = try KeyFormat(template)
        for number: UInt64 in [0, 7, 42, 99_999, 1_000_000, 123_456_789_012, UInt64.max] {
            #expect(format.key(number) == Key(format.render(number)))
            #expect(format.key(number).bytes == format.render(number))
        }
    }

    @Test func generatorIsDeterministicUnderItsSeed() throws {
        let profile = try ProfileReader.read(path: Self.profilesDirectory.appendingPathComponent("redis-zipf.yaml").path)
        var a = RequestGenerator(profile: profile, seed: 5)
        var b = RequestGenerator(profile: profile, seed: 5)
        var c = RequestGenerator(profile: profile, seed: 6)
        let first = (0..<1_000).map { a.next(at: Double($0) / 1000).keys }
        #expect(first == (0..<1_000).map { b.next(at: Double($0) / 1000).keys })
        #expect(first != (0..<1_000).map { c.next(at: Double($0) / 1000).keys })
    }

    @Test func arrivalSchedules() {
        var constant = ArrivalSchedule(spec: .constant(rate: 1_000), phases: [], seed: 1)
        let times = (0..<1_001).map { _ in constant.next() }
        #expect(times[1_000] == 1_000_000_000)
        var poisson = ArrivalSchedule(spec: .poisson(rate: 10_000), phases: [], seed: 1)
        var last: Int64 = 0
        for _ in 0..<100_000 { last = poisson.next() }
        #expect(abs(Double(last) / 1e9 - 10) < 0.2)
        let ramp = ArrivalSchedule(spec: .ramp(from: 100, to: 300, seconds: 10), phases: [], seed: 1)
        #expect(ramp.targetRate(at: 5) == 200)
        #expect(ramp.targetRate(at: 20) == 300)
        let steps = ArrivalSchedule(spec: .steps([.init(rate: 10, seconds: 1), .init(rate: 20, seconds: 1)]), phases: [], seed: 1)
        #expect(steps.targetRate(at: 0.5) == 10 && steps.targetRate(at: 1.5) == 20 && steps.targetRate(at: 9) == 20)
    }

    @Test func encodesTheWireProtocols() throws {
        var profile = try ProfileReader.parse("target: redis://127.0.0.1:1\noperations: [{op: GET}]\n", file: "t")
        var out: [UInt8] = []
        RequestEncoder(profile: profile).encode(LoadRequest(kind: .set, keys: [KeyReference(key: Key("k"))], valueSize: 3), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nvvv\r\n")
        profile = try ProfileReader.parse("target: memcached://127.0.0.1:1\noperations: [{op: get}]\n", file: "t")
        out = []
        RequestEncoder(profile: profile).encode(
            LoadRequest(kind: .multiGet, keys: [KeyReference(key: Key("a")), KeyReference(key: Key("b"))], valueSize: 0), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "get a b\r\n")
        profile = try ProfileReader.parse("target: http://127.0.0.1:8080\nhttp: {path: \"/p/{key}\"}\noperations: [{op: GET}]\n", file: "t")
        out = []
        RequestEncoder(profile: profile).encode(LoadRequest(kind: .httpGet, keys: [KeyReference(key: Key("a b"))], valueSize: 0), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "GET /p/a%20b HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
        // The key a request is analysed under when it fails: its target, as the HTTP parser names it.
        #expect(out.withByteView(RequestEncoder.httpTarget) == Key("/p/a%20b"))
        out = []
        RequestEncoder(profile: profile).encode(LoadRequest(kind: .httpPost, keys: [KeyReference(key: Key("é"))], valueSize: 3), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "POST /p/%C3%A9 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 3\r\n\r\nvvv")
    }

    /// memcached text, meta and binary requests, byte for byte (protocol.txt and protocol_binary.h).
    @Test func encodesMemcachedTextMetaAndBinary() throws {
        func encoded(_ protocolName: String, _ kind: OperationSpec.Kind, valueSize: Int = 0) throws -> [UInt8] {
            let profile = try ProfileReader.parse("target: memcached://127.0.0.1:1\nprotocol: \(protocolName)\noperations: [{op: get}]\n", file: "t")
            var out: [UInt8] = []
            RequestEncoder(profile: profile).encode(LoadRequest(kind: kind, keys: [KeyReference(key: Key("k1"))], valueSize: valueSize), into: &out)
            return out
        }
        #expect(try encoded("text", .set, valueSize: 2) == Array("set k1 0 0 2\r\nvv\r\n".utf8))
        #expect(try encoded("text", .delete) == Array("delete k1\r\n".utf8))
        #expect(try encoded("text", .incr) == Array("incr k1 1\r\n".utf8))
        #expect(try encoded("meta", .get) == Array("mg k1 v\r\n".utf8))
        #expect(try encoded("meta", .set, valueSize: 3) == Array("ms k1 3\r\nvvv\r\n".utf8))
        #expect(try encoded("meta", .delete) == Array("md k1\r\n".utf8))
        #expect(try encoded("meta", .incr) == Array("ma k1\r\n".utf8))
        let header: (UInt8, Int, Int) -> [UInt8] = { opcode, extras, body in
            [0x80, opcode, 0, 2, UInt8(extras), 0, 0, 0, 0, 0, 0, UInt8(body)] + [UInt8](repeating: 0, count: 12)
        }
        #expect(try encoded("binary", .get) == header(0x00, 0, 2) + Array("k1".utf8))
        #expect(try encoded("binary", .set, valueSize: 3) == header(0x01, 8, 13) + [UInt8](repeating: 0, count: 8) + Array("k1vvv".utf8))
        #expect(try encoded("binary", .delete) == header(0x04, 0, 2) + Array("k1".utf8))
        // Delta 1, initial 0, expiry 0xffffffff (a missing key is NOT_FOUND, not created).
        #expect(
            try encoded("binary", .incr) == header(0x05, 20, 22) + [0, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 8)
                + [0xff, 0xff, 0xff, 0xff] + Array("k1".utf8))
    }
}
