import HotshardProtocols

/// Keys the sender enumerated, numbered `0..<count`: `load`'s generator picks every key by number
/// from its profile's key space, and stamps the number on the reference (`KeyReference.index`).
/// Given one, the analyzer counts such keys in a flat array by number (`IndexedTally`): exact for
/// every key, with no hashing, no table probe and no key comparison per reference; keys are named
/// (`name`) only when a result is built.
public struct KeyIndexSpace: Sendable {
    /// The largest space counted by number: 8 bytes a key (32 MB), the rest go through Space-Saving.
    public static let limit = 1 << 22

    public let count: Int
    /// The key of number `index` (`0..<count`), as the parsers name it.
    public let name: @Sendable (Int) -> Key

    /// nil when `count` is over `limit` (or not positive).
    public init?(count: Int, name: @escaping @Sendable (Int) -> Key) {
        guard count > 0, count <= Self.limit else { return nil }
        self.count = count
        self.name = name
    }
}
