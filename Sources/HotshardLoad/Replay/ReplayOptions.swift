import HotshardProtocols

/// How a capture is replayed: timing, shaping and the bounds on memory.
public struct ReplayOptions: Sendable {
    public enum Timing: Sendable, Equatable {
        /// The capture's inter-arrival times divided by `speed` (1 = original).
        case original(speed: Double)
        /// Evenly spaced at `rate` requests/s, in capture order.
        case rate(Double)
        /// As fast as possible: every connection keeps `pipeline` requests in flight.
        case max
    }

    public var timing = Timing.original(speed: 1)
    /// Times through the capture (each pass follows the previous one by the capture's span plus one mean gap).
    public var loops = 1
    /// Replay connections; nil: one per original connection. Original connection `i` goes to `i mod N`.
    public var connections: Int?
    public var pipeline = 1_000
    public var onlyReads = false
    /// Commands kept (upper-cased; empty: all) and dropped. `CLIENT` also names `CLIENT|LIST` and friends.
    public var include: Set<String> = []
    public var exclude: Set<String> = []
    /// Fraction of the requests kept (by a seeded generator), 0 < sample ≤ 1.
    public var sample = 1.0
    public var seed: UInt64 = 1
    /// Part of the capture, in seconds from its first packet.
    public var fromSeconds: Double?
    public var toSeconds: Double?
    public var keyRewrite: KeyRewrite?
    /// Bytes of one flow's client→server stream kept while its requests' messages are pending.
    public var maxBytesPerFlow = 16 << 20
    /// Captured request bytes held over all flows at once.
    public var maxBytesTotal = 64 << 20
    /// Requests read ahead of the replay clock (the hand-over queue), and requests held for
    /// reordering (the same number again, except with `--max`). About 250 bytes each for small
    /// requests: 32,768 is 8 MB a side, and at 100,000 requests/s a third of a second of read-ahead.
    public var maxQueuedRequests = 32_768
    /// Keys the capture's own analysis tracks (Space-Saving, about 1 kB each): it only serves the
    /// comparison of the replay's hottest keys and commands with the capture's, while the replay's
    /// analysis has the whole `AnalysisConfiguration.capacity`. 4,096 is about 4 MB.
    public var captureKeyCapacity = 4_096
    /// Messages come out of the parsers when their reply arrives: requests are held this long in
    /// capture time so that they are replayed in the order they were sent.
    public var reorderWindowSeconds = 2.0
    public var decoder = DecoderConfiguration()

    public init() {}

    /// Whether the shaping keeps a request with this command and operation.
    func keeps(command: String, operation: OperationClass) -> SkipReason? {
        if onlyReads, operation != .read { return .notRead }
        let upper = command.uppercased()
        let family = upper.split(separator: "|").first.map(String.init) ?? upper
        if !include.isEmpty, !include.contains(upper), !include.contains(family) { return .command }
        if exclude.contains(upper) || exclude.contains(family) { return .command }
        return nil
    }
}

/// `--key-prefix`: `P` puts P before every key; `FROM=TO` replaces a leading FROM by TO.
public struct KeyRewrite: Sendable, Equatable {
    public var from: [UInt8]?
    public var to: [UInt8]

    public init(parsing text: String) {
        if let equals = text.firstIndex(of: "=") {
            from = Array(text[..<equals].utf8)
            to = Array(text[text.index(after: equals)...].utf8)
        } else {
            from = nil
            to = Array(text.utf8)
        }
    }

    /// The rewritten key (unchanged when it does not start with `from`).
    public func apply(_ key: [UInt8]) -> [UInt8] {
        guard let from else { return to + key }
        guard key.starts(with: from) else { return key }
        return to + key.dropFirst(from.count)
    }
}
