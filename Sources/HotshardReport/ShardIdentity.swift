import Crypto

/// Which shard of which sharded load run a result is (`load --shard I/N`): `merge` adds the
/// results of one run's shards, and refuses results of different runs (another profile, other
/// overrides, another seed or shard count) and a second, different result of the same shard.
public struct ShardIdentity: Codable, Sendable, Equatable {
    /// From 0, as Kubernetes' `JOB_COMPLETION_INDEX`.
    public var index: Int
    /// N: how many shards the run was split into.
    public var count: Int
    /// The run's seed: every shard of one run has the same.
    public var seed: UInt64
    /// SHA-256 (hex) of the profile file's bytes and the overrides that change what is sent
    /// (`digest(profile:overrides:)`).
    public var profile: String
    /// The shared start (`--start-at`), seconds since the epoch; absent when not given.
    public var startAt: Double?

    /// A shard identity as `load` records it.
    public init(index: Int, count: Int, seed: UInt64, profile: String, startAt: Double?) {
        self.index = index
        self.count = count
        self.seed = seed
        self.profile = profile
        self.startAt = startAt
    }

    /// The identity of a profile as run: SHA-256 over the file's bytes, then each override as
    /// `name=value` on its own line (in the order given; the caller lists them in a fixed order).
    /// Two shards with the same digest send parts of the same sequence.
    public static func digest(profile bytes: [UInt8], overrides: [String]) -> String {
        var hash = SHA256()
        hash.update(data: bytes)
        for line in overrides { hash.update(data: Array(("\n" + line).utf8)) }
        return hash.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
