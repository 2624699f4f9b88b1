import Testing
import HotshardProtocols
@testable import HotshardModel

/// The planner's split search on small inputs whose answers follow by hand: which keys are
/// candidates and which caps are tried (`RemedyCandidates`), and where a split key's pieces land
/// (`movedLoads` with `hash mod N` over zlib's CRC-32, the node of each name computed with
/// Python's `zlib.crc32(name) % 4`: hot → 3, hot#0 → 1, hot#1 → 3, warm → 3, warm#0 → 2, warm#1 → 0).
@Suite struct RemedySearchTests {
    static func hot(_ rates: [(String, Double)], base: Int = 1) -> [(key: Key, rate: Double, readFraction: Double, baseSubKeys: Int)] {
        rates.map { (Key($0.0), $0.1, 1.0, base) }
    }

    /// Rates 100, 50, 50, 10, 1 at a limit of 200 (floor 2): every key down to the first at or
    /// below the floor; caps strictly below the last split key, so the two 50s split together.
    @Test func candidatesAndCapsFromTheKeysOwnRates() {
        let remedy = RemedyCandidates(hotKeys: Self.hot([("a", 100), ("b", 50), ("c", 50), ("d", 10), ("e", 1)]), limit: 200)
        #expect(remedy.floor == 2)
        #expect(remedy.candidates.map(\.key) == ["a", "b", "c", "d", "e"].map { Key($0) })
        #expect(remedy.options == [1, 3, 4])
        #expect(remedy.split(1).cap == 50 && remedy.split(1).subKeys == [2])
        #expect(remedy.split(3).cap == 10 && remedy.split(3).subKeys == [10, 5, 5])
        #expect(remedy.split(4).cap == 1 && remedy.split(4).subKeys == [100, 50, 50, 10])
    }

    /// Ties keep the workload's order; when every candidate is above the floor the last option
    /// splits them all down to the floor; sub-keys a key already has are never merged back.
    @Test func tiesFloorAndExistingSubKeys() {
        let remedy = RemedyCandidates(hotKeys: Self.hot([("x", 20), ("y", 30), ("z", 20)], base: 4), limit: 100)
        #expect(remedy.candidates.map(\.key) == ["y", "x", "z"].map { Key($0) })
        #expect(remedy.options == [1, 3])
        #expect(remedy.split(1).subKeys == [4])  // ⌈30 ÷ 20⌉ = 2, but it already has 4
        #expect(remedy.split(3).cap == 1 && remedy.split(3).subKeys == [30, 20, 20])
        #expect(RemedyCandidates(hotKeys: Self.hot([("x", 20)]), limit: 0).candidates.isEmpty)
        #expect(RemedyCandidates.subKey(Key("user:1"), 3) == Key("user:1#3"))
    }

    @Test func splitKeysLeaveTheirNodeForTheirPiecesNodes() throws {
        let scheme = try SchemeFactory.make("modulo-crc32", servers: ServerSpec.numbered(4))
        let planner = Planner(PlanConfiguration(capacityPerNode: 1_000))
        let remedy = RemedyCandidates(hotKeys: Self.hot([("hot", 120), ("warm", 60), ("cold", 1)]), limit: 100)
        let hashes = (
            whole: remedy.candidates.map { scheme.keyHash($0.key) },
            sub: remedy.candidates.map { candidate in (0..<2).map { scheme.keyHash(RemedyCandidates.subKey(candidate.key, $0)) } }
        )
        let base: [Double] = [10, 20, 30, 400]
        // hot (120 on node 3) becomes hot#0 (60 on node 1) and hot#1 (60 on node 3).
        #expect(planner.remediedLoads(base, scheme: scheme, candidates: remedy, subKeys: [2], hashes: hashes) == [10, 80, 30, 340])
        // and warm (60 on node 3) becomes warm#0 (30 on node 2) and warm#1 (30 on node 0).
        #expect(planner.remediedLoads(base, scheme: scheme, candidates: remedy, subKeys: [2, 2], hashes: hashes) == [40, 80, 60, 280])
        // Unchanged counts move nothing.
        #expect(planner.remediedLoads(base, scheme: scheme, candidates: remedy, subKeys: [1, 1], hashes: hashes) == base)
    }
}
