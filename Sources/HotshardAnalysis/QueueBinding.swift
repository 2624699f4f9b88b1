import HotshardProtocols

/// One AMQP `queue.bind` seen in the traffic: messages published to `exchange` with `routingKey`
/// go to `queue` (direct-exchange matching; topic patterns and fanout are taken literally).
public struct QueueBinding: Codable, Sendable, Hashable, Comparable {
    public var queue: Key
    public var exchange: Key
    public var routingKey: Key

    public init(queue: Key, exchange: Key, routingKey: Key) {
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
    }

    /// The binding a `queue.bind` message names (keys queue, exchange, routing key); nil for any
    /// other message.
    init?(_ message: Message) {
        guard message.wireProtocol == .amqp, message.operation == .other, message.keys.count == 3,
            message.command == "queue.bind"
        else { return nil }
        self.init(queue: message.keys[0].key, exchange: message.keys[1].key, routingKey: message.keys[2].key)
    }

    public static func < (a: QueueBinding, b: QueueBinding) -> Bool {
        (a.queue, a.exchange, a.routingKey) < (b.queue, b.exchange, b.routingKey)
    }

    private enum CodingKeys: String, CodingKey { case queue, exchange, routingKey }

    /// Keys nest as `{"key": …}` or `{"keyBase64": …}`, as everywhere in the result.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        queue = try container.decode(Key.self, forKey: .queue)
        exchange = try container.decode(Key.self, forKey: .exchange)
        routingKey = try container.decode(Key.self, forKey: .routingKey)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(queue, forKey: .queue)
        try container.encode(exchange, forKey: .exchange)
        try container.encode(routingKey, forKey: .routingKey)
    }
}
