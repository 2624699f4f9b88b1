import HotshardCapture
import HotshardProtocols

/// One request cut from a capture: its exact wire bytes and the message the parsers made of it
/// (command, operation, keys, and the reply and latency seen in the capture).
public struct CapturedRequest: Sendable {
    /// The parsers' message: `timestampNanos` is when the request's first byte was captured.
    public var message: Message
    public var bytes: [UInt8]
    /// Dense index of the original connection (flow), in order of first request.
    public var connection: Int

    public init(message: Message, bytes: [UInt8], connection: Int) {
        self.message = message
        self.bytes = bytes
        self.connection = connection
    }
}

/// Why a request of the capture was not replayed (counted in the result).
public enum SkipReason: String, Sendable, CaseIterable, Codable {
    /// Its bytes were not all captured (a gap inside it, or the capture ended first).
    case incomplete
    /// Its bytes were dropped by the per-flow or total buffer cap before its message arrived.
    case bufferCap = "buffer-cap"
    /// The bytes at its offset do not start like its command (the stream could not be followed).
    case unrecognised
    /// It speaks another protocol than the target.
    case otherProtocol = "other-protocol"
    /// Not a read, with `--only-reads`.
    case notRead = "not-read"
    /// Left out by `--include` / `--exclude`.
    case command
    /// Left out by `--sample`.
    case sample
    /// Outside `--from` / `--to`.
    case timeRange = "time-range"
    /// `--key-prefix` could not be applied to its encoding.
    case rewrite
    /// AMQP traffic other than basic.publish (deliveries, acks, declarations): replay republishes
    /// publishes only; the target's exchanges, queues and bindings must exist.
    case notPublish = "not-publish"
}
