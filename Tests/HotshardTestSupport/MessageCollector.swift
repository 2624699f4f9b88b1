import HotshardProtocols

/// The message sink of the tests: keeps every message a decoder emits, in order, or hands each to
/// a closure instead (for tallies over captures too large to keep).
///
/// Not thread-safe: a test reads it only after the decoder that feeds it has finished.
public final class MessageCollector: MessageSink, @unchecked Sendable {
    /// Every message received, in order (empty when a closure takes them).
    public private(set) var messages: [Message] = []
    private let each: ((Message) -> Void)?

    /// Keeps every message.
    public init() { each = nil }

    /// Hands each message to `each` and keeps none.
    public init(each: @escaping (Message) -> Void) { self.each = each }

    public func receive(_ message: Message) {
        if let each { each(message) } else { messages.append(message) }
    }
}
