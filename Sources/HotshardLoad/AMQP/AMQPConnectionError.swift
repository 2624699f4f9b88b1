/// Why an AMQP connection of a load run did not open.
public enum AMQPConnectionError: Error, CustomStringConvertible, Sendable {
    case refused(code: UInt16, text: String)
    case frameMaxTooSmall(UInt32)
    case timeout
    case closedDuringHandshake
    case unexpected(String)

    public var description: String {
        switch self {
        case .refused(let code, let text): "the broker refused: \(code) \(text)"
        case .frameMaxTooSmall(let size): "the broker's frame_max \(size) is below the 131072 bytes the load client frames bodies for"
        case .timeout: "the broker did not complete the AMQP handshake in time"
        case .closedDuringHandshake: "the broker closed the connection during the AMQP handshake"
        case .unexpected(let what): "unexpected AMQP frame: \(what)"
        }
    }
}
