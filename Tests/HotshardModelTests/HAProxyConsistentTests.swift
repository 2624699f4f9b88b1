import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

/// `haproxy-consistent` against a real HAProxy 2.6 (Debian) on loopback: `balance uri whole` with
/// `hash-type consistent …` over five backends with weights 1,2,1,3,1 (four on 127.0.0.1, one on
/// [::1]), each answering with its port (scripts/test/http-backends.py). 5,000 request targets, raw
/// bytes included (`option accept-invalid-http-request` lets HAProxy take bytes ≥ 0x80 in the
/// URI; it hashes them as they are).
struct HAProxyConsistentTests {
    struct Setup: Sendable, CustomTestStringConvertible {
        var hashType: String
        var function: HAProxyConsistentScheme.HashFunction
        var avalanche: Bool
        var ids: [Int?] = []
        /// `balance uri whole` hashes the request target; `balance url_param k` the value of `k`.
        var byParameter = false
        var testDescription: String {
            "\(byParameter ? "balance url_param k, " : "")hash-type \(hashType)\(ids.isEmpty ? "" : ", ids \(ids.map { $0.map(String.init) ?? "auto" })")"
        }
    }

    static let setups: [Setup] = [
        Setup(hashType: "consistent", function: .sdbm, avalanche: true),
        Setup(hashType: "consistent sdbm", function: .sdbm, avalanche: false),
        Setup(hashType: "consistent djb2", function: .djb2, avalanche: false, ids: [nil, 7, nil, 2, nil]),
        Setup(hashType: "consistent djb2 avalanche", function: .djb2, avalanche: true),
        Setup(hashType: "consistent wt6", function: .wt6, avalanche: false, ids: [30, 10, 20, nil, nil]),
        Setup(hashType: "consistent crc32 avalanche", function: .crc32, avalanche: true),
        Setup(hashType: "consistent wt6 avalanche", function: .wt6, avalanche: true, byParameter: true),
    ]

    /// Values of `k` for `balance url_param k` (HAProxy hashes the value alone): numbers, signed,
    /// past 32 and 64 bits, some followed by other bytes.
    static func parameterValues(_ count: Int) -> [[UInt8]] {
        var rng = SplitMix64(seed: 21)
        return (0..<count).map { index in
            let magnitude = rng.next() >> (rng.next() % 64)
            var text = (index % 3 == 0 ? "-" : "") + String(magnitude)
            if index % 7 == 2 { text += "99999999999999999999" }
            if index % 5 == 1 { text += "x\(index)" }
            return Array(text.utf8)
        }
    }

    static let weights = [1, 2, 1, 3, 1]

    static func servers() throws -> [ServerSpec] {
        try weights.indices.map { index in
            ServerSpec(host: index == 4 ? "::1" : "127.0.0.1", port: Int(try RealServer.freePort()), weight: weights[index])
        }
    }

    static func config(
        port: UInt16, servers: [ServerSpec], hashType: String, ids: [Int?], balanceFactor: Int = 0,
        balance: String = "uri whole"
    ) -> String {
        let lines = servers.enumerated().map { index, server in
            let id = index < ids.count ? ids[index].map { " id \($0)" } ?? "" : ""
            return "    server s\(index + 1) \(server.description) weight \(server.weight)\(id)"
        }
        return """
            global
                maxconn 1000
            defaults
                mode http
                timeout connect 5s
                timeout client 120s
                timeout server 120s
            frontend front
                bind 127.0.0.1:\(port)
                option accept-invalid-http-request
                default_backend pool
            backend pool
                balance \(balance)
                hash-type \(hashType)
            \(balanceFactor > 0 ? "    hash-balance-factor \(balanceFactor)\n" : "")\(lines.joined(separator: "\n"))

            """
    }

    static var available: Bool { RealServer.isAvailable(.haproxy) && HTTPBackends.isAvailable }

    @Test(.enabled(if: available, "needs haproxy and python3 (make setup)"), arguments: setups)
    func placementsEqualRealHAProxy(_ setup: Setup) throws {
        let servers = try Self.servers()
        let backends = try HTTPBackends(servers.map(\.description))
        defer { backends.stop() }
        let proxy = try RealServer(
            .haproxy,
            haproxyConfig: { port, _ in
                Self.config(
                    port: port, servers: servers, hashType: setup.hashType, ids: setup.ids,
                    balance: setup.byParameter ? "url_param k" : "uri whole")
            })
        defer { proxy.stop() }
        let keys = setup.byParameter ? Self.parameterValues(5000) : NginxConsistentTests.targets(5000)
        let targets = setup.byParameter ? keys.map { Array("/p?k=".utf8) + $0 } : keys
        let replies = try HTTPPipeline.get(port: proxy.port, targets: targets)
        let refused = zip(targets, replies).filter { $0.1.status != 200 }
        let refusedCount = refused.count
        try #require(refusedCount == 0, "refused: \(refused.first.map { "\(Key($0.0).escaped): \($0.1.status) \($0.1.body.prefix(80))" } ?? "")")
        let scheme = try HAProxyConsistentScheme(servers: servers, ids: setup.ids, function: setup.function, avalanche: setup.avalanche)
        var equal = 0, shown = 0
        for (target, reply) in zip(keys, replies) {
            let ours = String(servers[scheme.node(for: Key(target))].port)
            if ours == reply.body {
                equal += 1
            } else if shown < 5 {
                shown += 1
                Issue.record("\(Key(target).escaped): ours \(ours), HAProxy \(reply.body)")
            }
        }
        #expect(equal == targets.count)
        print("haproxy-consistent \(setup.testDescription): \(equal)/\(targets.count) equal")
    }

    /// `hash-balance-factor 125` under load: 12 requests are held in flight one after another (each
    /// predicted from the in-flight counts the backends report before it), then 5,000 targets are
    /// sent one at a time while those 12 stay in flight, so HAProxy's backend serves 12 and each
    /// server its held count at every decision; a server at its slots is skipped. Every placement
    /// must be `node(forHash:inFlight:)`'s — and the plain ring must differ, or the factor did not act.
    @Test(.enabled(if: available, "needs haproxy and python3 (make setup)"))
    func balanceFactorEqualsRealHAProxyUnderLoad() throws {
        let servers = try Self.servers()
        let backends = try HTTPBackends(servers.map(\.description))
        defer { backends.stop() }
        let proxy = try RealServer(
            .haproxy,
            haproxyConfig: { port, _ in
                Self.config(port: port, servers: servers, hashType: "consistent", ids: [], balanceFactor: 125)
            })
        defer { proxy.stop() }
        let scheme = try HAProxyConsistentScheme(servers: servers, balanceFactor: 125)
        func inFlight() throws -> [Int] {
            let held = try backends.held()
            return servers.map { held[$0.port] ?? 0 }
        }
        var holders: [LoopbackSocket] = []
        defer { try? backends.release() }
        var holdsEqual = 0
        for i in 0..<12 {
            let before = try inFlight()
            let target = Array("/hold/\(i)".utf8)
            let predicted = scheme.node(forHash: scheme.keyHash(Key(target)), inFlight: before)
            let socket = try LoopbackSocket(port: proxy.port)
            try socket.send(Array("GET ".utf8) + target + Array(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            holders.append(socket)
            var after = before
            for _ in 0..<500 where after.reduce(0, +) == before.reduce(0, +) {
                usleep(5_000)
                after = try inFlight()
            }
            let got = zip(after, before).map { $0 - $1 }.firstIndex(of: 1)
            if got == predicted { holdsEqual += 1 }
        }
        #expect(holdsEqual == 12)
        let load = try inFlight()
        #expect(load.reduce(0, +) == 12)
        let targets = NginxConsistentTests.targets(5000)
        let replies = try HTTPPipeline.get(port: proxy.port, targets: targets, window: 1)
        #expect(try inFlight() == load, "the held requests stayed in flight throughout")
        var equal = 0, plainEqual = 0
        for (target, reply) in zip(targets, replies) {
            let hash = scheme.keyHash(Key(target))
            if String(servers[scheme.node(forHash: hash, inFlight: load)].port) == reply.body { equal += 1 }
            if String(servers[scheme.node(forHash: hash)].port) == reply.body { plainEqual += 1 }
        }
        #expect(equal == targets.count)
        #expect(plainEqual < targets.count, "the factor moved some keys")
        print(
            "haproxy-consistent hash-balance-factor 125, in flight \(load): holds \(holdsEqual)/12, \(equal)/\(targets.count) equal (plain ring: \(plainEqual))"
        )
    }

    /// The eligibility rule worked by hand from `chash_server_is_eligible` for weights 1,2,1,3,1
    /// (effective 16,32,16,48,16; cumulative 0,16,48,64,112; total 128) and factor 125: with 12
    /// in flight, ⌈13 × 1.25⌉ = 17 slots, all remainder (17 < 128), shared as
    /// ⌊(c+w)·17/128⌋ − ⌊c·17/128⌋ = 2,4,2,6,3; with none in flight 2 slots: 0,0,1,0,1 → 1,1,1,1,1
    /// (never below 1); with 200, 252 slots: 1 per weight unit (⌊252/128⌋ = 1) plus remainder 124.
    @Test func balanceFactorSlotsFollowHAProxysArithmetic() {
        let rule = HAProxyBalanceFactor(factor: 125, effectiveWeights: [16, 32, 16, 48, 16])
        #expect((0..<5).map { rule.slots(server: $0, backendServed: 12) } == [2, 4, 2, 6, 3])
        #expect((0..<5).map { rule.slots(server: $0, backendServed: 0) } == [1, 1, 1, 1, 1])
        // 252 = 128 + 124: 16 + ⌊16·124/128⌋ = 31; 32 + ⌊48·124/128⌋ − 15 = 63; 16 + 62 − 46 = 32;
        // 48 + 108 − 62 = 94; 16 + 124 − 108 = 32 (sum 252).
        #expect((0..<5).map { rule.slots(server: $0, backendServed: 200) } == [31, 63, 32, 94, 32])
        #expect(rule.isEligible(server: 1, served: 3, backendServed: 12))
        #expect(!rule.isEligible(server: 1, served: 4, backendServed: 12))
    }

    /// HAProxy's automatic server ids (cfgparse.c): a counter from 1 that moves on for every
    /// server; a server without an id takes the first unused id at or after it.
    @Test func automaticIDsFollowHAProxy() throws {
        #expect(try HAProxyConsistentScheme.assignIDs([nil, nil, nil]) == [1, 2, 3])
        #expect(try HAProxyConsistentScheme.assignIDs([nil, 7, nil, 2, nil]) == [1, 7, 3, 2, 5])
        #expect(try HAProxyConsistentScheme.assignIDs([30, 10, 20, nil, nil]) == [30, 10, 20, 4, 5])
        #expect(try HAProxyConsistentScheme.assignIDs([2, nil]) == [2, 3])
        #expect(try HAProxyConsistentScheme.assignIDs([nil, 1]) == [2, 1])
        #expect(throws: PlacementError.self) { try HAProxyConsistentScheme.assignIDs([3, 3]) }
    }

    /// `hash-type … none` reads the key as `read_int64` does (sign, digits to the first other
    /// byte, saturating), truncated to 32 bits. HAProxy 2.6 does not take `none` (its parser
    /// names sdbm, djb2, crc32 and wt6); these vectors follow the later backend.c and intops.c.
    @Test func noneReadsTheKeyAsAnInteger() {
        func none(_ text: String) -> UInt32 { HAProxyHash.none(Array(text.utf8)) }
        #expect(none("12345") == 12345)
        #expect(none("4294967297") == 1)
        #expect(none("-1") == 0xffff_ffff)
        #expect(none("+7x9") == 7)
        #expect(none("/12") == 0)
        #expect(none("") == 0)
        #expect(none("99999999999999999999") == 0xffff_ffff)  // INT64_MAX's low 32 bits
        #expect(none("-99999999999999999999") == 0)  // INT64_MIN's low 32 bits
    }

    /// Nearest-point shares: they sum to 1 and match where 50,000 evenly spread hashes land.
    @Test func sharesAreWhereHashesLand() throws {
        let scheme = try HAProxyConsistentScheme(
            servers: ServerSpec.numbered(5).enumerated().map {
                ServerSpec(host: $0.element.host, port: $0.element.port, weight: [1, 2, 1, 3, 1][$0.offset])
            })
        let shares = scheme.shares()
        #expect(abs(shares.reduce(0, +) - 1) < 1e-12)
        var counts = [Double](repeating: 0, count: 5)
        let n = 50_000
        for i in 0..<n { counts[scheme.node(forHash: UInt64(UInt32(truncatingIfNeeded: i &* 85_899)))] += 1 }
        for (share, count) in zip(shares, counts) { #expect(abs(share - count / Double(n)) < 0.005) }
    }

    /// The long-run model of the balance factor: with every key small against a server's share,
    /// no server carries more than F ÷ 100 × its weight share of the rate; without the factor
    /// `assign` is the plain placement.
    @Test func assignWithRatesKeepsEachServerUnderItsSlots() throws {
        let servers = (0..<5).map { ServerSpec(host: "10.0.0.\($0 + 1)", port: 80, weight: [1, 2, 1, 3, 1][$0]) }
        let bounded = try HAProxyConsistentScheme(servers: servers, balanceFactor: 125)
        let plain = try HAProxyConsistentScheme(servers: servers)
        var rng = SplitMix64(seed: 9)
        let keys = (0..<4000).map { Key("user:\($0)") }
        let rates = keys.map { _ in 1 + rng.uniform() }
        let hashes = keys.map(bounded.keyHash)
        #expect(plain.assign(hashes: hashes, rates: rates) == hashes.map { plain.node(forHash: $0) })
        var loads = [Double](repeating: 0, count: 5)
        for (node, rate) in zip(bounded.assign(hashes: hashes, rates: rates), rates) { loads[node] += rate }
        let total = rates.reduce(0, +)
        for (i, load) in loads.enumerated() {
            #expect(load <= 1.25 * total * Double([1, 2, 1, 3, 1][i]) / 8 + 1e-9)
        }
    }
}
