/// A reply that came with no request in flight on its connection.
struct UnsolicitedReply: Error, Equatable, CustomStringConvertible {
    /// The reply's command as the decoder named it.
    var command: String
    var description: String { "a \(command) reply came with no request in flight on its connection" }
}
