import HotshardAnalysis
import HotshardProtocols
import Testing
@testable import HotshardLoad

/// The numbers `load`'s generator stamps on its keys, and the names the analyzer gives them back
/// (`LoadKeySpace`): a number must name exactly the key it was stamped on, and a key only one number.
@Suite struct LoadKeySpaceTests {
    /// Explicit keys (one of them item 1 of the key space, one a binary key, one repeated) with a
    /// tail, and a flash phase whose key is item 42.
    static let weighted = """
        target: redis://127.0.0.1:6379
        seed: 5
        arrival: {kind: constant, rate: 1000}
        duration: 10s
        keys:
          count: 1000
          format: "user:{n:07}"
          distribution:
            kind: weighted
            keys:
              - {key: "user:0000001", share: 0.2}
              - {key: "vip", share: 0.1}
              - {keyBase64: "AAEC/w==", share: 0.1}
              - {key: "vip", share: 0.05}
            tail: {kind: uniform}
        operations: [{op: GET, weight: 3}, {op: MGET, keys: 3, weight: 1}]
        phases:
          - {name: sale, from: 2s, to: 4s, flash: {key: "user:0000042", share: 0.5}}
          - {name: drop, from: 6s, to: 8s, flash: {key: "drop", share: 0.5}}
        """

    @Test func everyStampedNumberNamesItsKey() throws {
        let profile = try LoadTestSupport.profile(Self.weighted)
        let space = try #require(LoadKeySpace.make(profile, capacity: 65_536))
        // 1,000 items, then "vip", the binary key and "drop": item 1 and item 42 are not repeated.
        #expect(space.count == 1_003)
        #expect(space.name(1_000) == Key("vip"))
        #expect(space.name(1_001) == Key([0, 1, 2, 255]))
        #expect(space.name(1_002) == Key("drop"))
        var generator = RequestGenerator(profile: profile, seed: 5)
        var seen = Set<Int32>()
        for step in 0..<20_000 {
            let request = generator.next(at: Double(step) / 2_000)
            for reference in request.keys {
                #expect(reference.index >= 0)
                #expect(space.name(Int(reference.index)) == reference.key)
                seen.insert(reference.index)
            }
        }
        // The repeated explicit key and the items named explicitly came out under one number each.
        #expect(seen.contains(1) && seen.contains(42) && seen.contains(1_000) && seen.contains(1_002))
    }

    @Test func httpNumbersAreNamedByTheRequestTarget() throws {
        let profile = try LoadTestSupport.profile(
            """
            target: http://127.0.0.1:8080
            http: {path: "/item/{key}?v=1"}
            arrival: closed
            requests: 100
            keys: {count: 50, format: "k {n}", distribution: uniform}
            operations: [{op: GET}]
            """)
        let space = try #require(LoadKeySpace.make(profile, capacity: 65_536))
        // The target as the HTTP parser names it, with the key's space percent-encoded.
        #expect(space.name(7) == Key("/item/k%207?v=1"))
        let source = GeneratedRequests(profile: profile, workers: 1, index: 0)
        for _ in 0..<100 {
            let request = try #require(source.take(intended: 0))
            let reference = try #require(request.keys.first)
            #expect(reference.index >= 0 && space.name(Int(reference.index)) == reference.key)
        }
    }

    @Test func aKeySpaceOverTheCapacityOrTheLimitIsNotCountedByNumber() throws {
        // More keys than the analysis may track: counted by Space-Saving, within the capacity's memory.
        let small = try LoadTestSupport.profile(Self.weighted)
        #expect(LoadKeySpace.make(small, capacity: 1_002) == nil)
        #expect(LoadKeySpace.make(small, capacity: 1_003)?.count == 1_003)

        let profile = try LoadTestSupport.profile(
            """
            target: redis://127.0.0.1:6379
            arrival: closed
            requests: 10
            keys: {count: 5000000, format: "k:{n}"}
            operations: [{op: GET}]
            """)
        #expect(LoadKeySpace.make(profile, capacity: 10_000_000) == nil)
        var generator = RequestGenerator(profile: profile, seed: 1)
        #expect(generator.next(at: 0).keys.first?.index == -1)
    }
}
