import ArgumentParser
import Testing

@testable import hotshard

/// `load` and `synth` read the same profile overrides through one option group, and a load shard's
/// identity (which `merge` compares) tells runs with different seeds apart: they send different
/// sequences, so their shards must not merge as one run.
@Suite struct ScheduleOverrideTests {
    @Test func loadAndSynthReadTheSameOverrides() throws {
        let arguments = ["--rate", "2500", "--duration", "3s", "--requests", "900", "--connections", "7", "--seed", "11"]
        let load = try LoadCommand.parse(["p.yaml"] + arguments).schedule
        let synth = try SynthCommand.parse(["p.yaml", "-o", "x.pcap"] + arguments).schedule
        for options in [load, synth] {
            #expect(options.rate == 2500)
            #expect(options.duration == "3s")
            #expect(options.requests == 900)
            #expect(options.connections == 7)
            #expect(options.seed == 11)
        }
    }

    @Test func aShardsIdentityNamesItsSeed() throws {
        let seven = try LoadCommand.parse(["missing-profile.yaml", "--shard", "0/2", "--seed", "7"]).profileIdentity()
        let eight = try LoadCommand.parse(["missing-profile.yaml", "--shard", "1/2", "--seed", "8"]).profileIdentity()
        let sevenAgain = try LoadCommand.parse(["missing-profile.yaml", "--shard", "1/2", "--seed", "7"]).profileIdentity()
        #expect(seven != eight)
        #expect(seven == sevenAgain)
    }
}
