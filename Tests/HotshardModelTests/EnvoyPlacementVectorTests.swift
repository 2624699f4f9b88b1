import Foundation
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardModel

/// Envoy's ring hash and Maglev, key for key, against placements computed from Envoy's C++ source
/// by an independent transcription (scripts/generate/envoy-placement-vectors.py; the fixture's header names
/// the source files): IPv4 hosts in and out of address order, equal weights and 3,7,1,5,2, IPv6
/// hosts (written non-canonically too, so Envoy's inet_ntop form matters) and a mix, 5,000 keys
/// each (every fifth not UTF-8), plus a digest of each whole 65,537-entry Maglev table.
struct EnvoyPlacementVectorTests {
    struct HostSet {
        var name: String
        var servers: [ServerSpec] = []
        var ringHash = ""
        var maglev = ""
        var maglevTable: UInt64 = 0
    }

    static func sets() throws -> [HostSet] {
        let text = try String(contentsOfFile: Fixtures.path("model/envoy-placements.txt"), encoding: .utf8)
        var sets: [HostSet] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields.count == 3 else { continue }
            let name = String(fields[1])
            if fields[0] == "hosts" {
                var set = HostSet(name: name)
                set.servers = try fields[2].split(separator: ",").map { try ServerSpec.parse(String($0)) }
                sets.append(set)
            } else if let index = sets.lastIndex(where: { $0.name == name }) {
                switch fields[0] {
                case "ring-hash": sets[index].ringHash = String(fields[2])
                case "maglev": sets[index].maglev = String(fields[2])
                case "maglev-table": sets[index].maglevTable = UInt64(fields[2]) ?? 0
                default: break
                }
            }
        }
        return sets
    }

    /// The fixture's keys: "key:i", or for i % 5 == 4 the bytes [i % 256, 0xff, 0x80] + "bin" + i.
    static func keys(_ count: Int) -> [Key] {
        (0..<count).map { i in
            i % 5 == 4 ? Key([UInt8(i % 256), 0xff, 0x80] + Array("bin\(i)".utf8)) : Key("key:\(i)")
        }
    }

    static func equalCount(_ scheme: any PlacementScheme, _ expected: String) -> Int {
        let digits = Array(expected.utf8)
        let keys = keys(digits.count)
        return zip(keys, digits).filter { key, digit in scheme.node(for: key) == Int(digit) - 48 }.count
    }

    @Test func fixtureHasEverySet() throws {
        let sets = try Self.sets()
        #expect(sets.map(\.name) == ["ipv4-in-order-equal", "ipv4-out-of-order-weighted", "ipv6-weighted", "mixed-out-of-order-weighted"])
        #expect(sets.allSatisfy { $0.ringHash.utf8.count == 5000 && $0.maglev.utf8.count == 5000 })
    }

    @Test func ringHashEqualsEnvoy() throws {
        for set in try Self.sets() {
            let equal = Self.equalCount(EnvoyRingHashScheme(servers: set.servers), set.ringHash)
            #expect(equal == 5000, "envoy-ring-hash \(set.name): \(equal)/5000")
        }
    }

    @Test func maglevEqualsEnvoy() throws {
        for set in try Self.sets() {
            let scheme = MaglevScheme(servers: set.servers)
            let equal = Self.equalCount(scheme, set.maglev)
            #expect(equal == 5000, "maglev \(set.name): \(equal)/5000")
            #expect(
                XXHash64.hash(scheme.table.map { UInt8(truncatingIfNeeded: $0) }) == set.maglevTable,
                "maglev \(set.name): the whole table")
        }
    }

    /// Envoy hashes an IPv6 host as "[" + inet_ntop + "]:port" and prints it so; IPv4 likewise canonical.
    @Test func hostKeysAreEnvoysAddressStrings() throws {
        #expect(EnvoyHostKey.hashKey(try ServerSpec.parse("[2001:db8:0:0:0:0:0:2]:80")) == "[2001:db8::2]:80")
        #expect(EnvoyHostKey.hashKey(try ServerSpec.parse("[::ffff:10.0.0.1]:80")) == "[::ffff:10.0.0.1]:80")
        #expect(EnvoyHostKey.hashKey(try ServerSpec.parse("10.0.0.1:80")) == "10.0.0.1:80")
        #expect(EnvoyHostKey.hashKey(try ServerSpec.parse("backend.local:80")) == "backend.local:80")
        #expect(try ServerSpec.parse("[::1]:8080").description == "[::1]:8080")
    }
}
