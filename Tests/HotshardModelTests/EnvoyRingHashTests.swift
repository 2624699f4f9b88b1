import Testing
@testable import HotshardModel

/// Envoy's own expectations for its `ring_hash` load balancer: envoyproxy/envoy
/// test/common/upstream/ring_hash_lb_test.cc (commit 001692b8), default XX_HASH. Each ring is
/// listed there as (host | position) in ring order; `chooseHost` answers are for given hashes.
struct EnvoyRingHashTests {
    /// Test "Basic": hosts tcp://127.0.0.1:90 … :95, minimum_ring_size 12 → 12 points, 2 per host.
    @Test func basicRingAndLookups() {
        let servers = (90...95).map { ServerSpec(host: "127.0.0.1", port: $0) }
        let scheme = EnvoyRingHashScheme(servers: servers, minimumRingSize: 12)
        let expected: [(port: Int, position: UInt64)] = [
            (94, 833_437_586_790_550_860), (92, 928_266_305_478_181_108), (90, 1_033_482_794_131_418_490),
            (95, 3_551_244_743_356_806_947), (93, 3_851_675_632_748_031_481), (91, 5_583_722_120_771_150_861),
            (91, 6_311_230_543_546_372_928), (93, 7_700_377_290_971_790_572), (95, 13_144_177_310_400_110_813),
            (92, 13_444_792_449_719_432_967), (94, 15_516_499_411_664_133_160), (90, 16_117_243_373_044_804_889),
        ]
        #expect(scheme.ring.values == expected.map(\.position))
        #expect(scheme.ring.owners == expected.map { $0.port - 90 })
        // chooseHost: hosts_[4] for 0 and for the largest hash (wrap), an exact point is its own
        // host, one past it the next point's.
        #expect(scheme.node(forHash: 0) == 4)
        #expect(scheme.node(forHash: .max) == 4)
        #expect(scheme.node(forHash: 3_551_244_743_356_806_947) == 5)
        #expect(scheme.node(forHash: 3_551_244_743_356_806_948) == 3)
        #expect(scheme.node(forHash: 16_117_243_373_044_804_880) == 0)
    }

    /// Test "BasicWithHostname": use_hostname_for_hashing, hostnames "90" … "95", minimum ring 12.
    @Test func hostnameRingAndLookups() {
        let names = (90...95).map(String.init)
        let scheme = EnvoyRingHashScheme(hashKeys: names, weights: [Int](repeating: 1, count: 6), minimumRingSize: 12)
        let expected: [(host: Int, position: UInt64)] = [
            (95, 1_975_508_444_536_362_413), (95, 2_376_063_919_839_173_711), (93, 2_386_806_903_309_390_596),
            (94, 6_749_904_478_991_551_885), (93, 6_803_900_775_736_438_537), (92, 7_225_015_537_174_310_577),
            (90, 8_787_465_352_164_086_522), (92, 11_282_020_843_382_717_940), (91, 13_723_418_369_486_627_818),
            (90, 13_776_502_110_861_797_421), (91, 14_338_313_586_354_474_791), (94, 15_364_271_037_087_512_980),
        ]
        #expect(scheme.ring.values == expected.map(\.position))
        #expect(scheme.ring.owners == expected.map { $0.host - 90 })
        #expect(scheme.nodeNames[scheme.node(forHash: 7_225_015_537_174_310_577)] == "92")
        #expect(scheme.nodeNames[scheme.node(forHash: 6_803_900_775_736_438_537)] == "93")
        #expect(scheme.nodeNames[scheme.node(forHash: 0)] == "95")
        #expect(scheme.nodeNames[scheme.node(forHash: .max)] == "95")
    }

    /// Test "UnevenHosts": hosts 127.0.0.1:80 and :81, minimum_ring_size 3 → ring size 4
    /// (the least weight's point count is rounded up to whole hashes: 2 per host).
    @Test func unevenHostsRoundUpToFourPoints() {
        let scheme = EnvoyRingHashScheme(
            servers: [ServerSpec(host: "127.0.0.1", port: 80), ServerSpec(host: "127.0.0.1", port: 81)],
            minimumRingSize: 3)
        #expect(
            scheme.ring.values == [
                5_454_692_015_285_649_509, 7_859_399_908_942_313_493,
                13_838_424_394_637_650_569, 16_064_866_803_292_627_174,
            ])
        #expect(scheme.ring.owners == [0, 1, 0, 1])
        #expect(scheme.node(forHash: 0) == 0)
    }
}
