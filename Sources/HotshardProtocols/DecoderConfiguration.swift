/// How flows are assigned a protocol and how parsers are bounded.
public struct DecoderConfiguration: Sendable {
    /// Server port → protocol. Defaults: 6379 RESP, 11211 memcached, 80/8080/8000 HTTP, 5672 AMQP.
    public var ports: [UInt16: WireProtocol] = [
        6379: .resp, 11211: .memcached, 80: .http, 8080: .http, 8000: .http,
        5672: .amqp,
    ]
    /// Recognise the protocol of flows on other ports by their first client bytes.
    public var detectByContent = true
    /// Requests waiting for replies per flow before the oldest is given up as unanswered.
    public var maxPendingRequests = 100_000
    /// Flows with a live parser at once; beyond it new flows are counted, not parsed.
    public var maxFlows = 1_000_000
    /// What names an HTTP request's key.
    public var httpKey = HTTPKeyMode.path
    /// What names an AMQP publish's key (see `AMQPKeyMode`).
    public var amqpKey = AMQPKeyMode.routingKey

    public init() {}

    /// Parses `--port PROTO=PORT` (`resp=16379`, `memcached=11311`, `http=18080`, `amqp=15672`).
    public mutating func addPortOption(_ option: String) throws {
        let parts = option.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { throw DecoderConfigurationError.badPortOption(option) }
        let name = parts[0].lowercased()
        let proto: WireProtocol
        switch name {
        case "resp", "redis", "valkey": proto = .resp
        case "memcached", "memcache", "mc": proto = .memcached
        case "http": proto = .http
        case "amqp", "rabbitmq": proto = .amqp
        default: throw DecoderConfigurationError.badPortOption(option)
        }
        guard let port = UInt16(parts[1]), port > 0 else { throw DecoderConfigurationError.badPortOption(option) }
        ports[port] = proto
    }
}

public enum DecoderConfigurationError: Error, CustomStringConvertible {
    case badPortOption(String)

    public var description: String {
        switch self {
        case .badPortOption(let option):
            "--port \(option): expected PROTO=PORT with PROTO resp, memcached, http or amqp and PORT 1-65535"
        }
    }
}
