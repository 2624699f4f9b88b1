/// The `amqp:` section of a profile: where publishes go and what the run sets up and consumes.
///
/// Routing keys are the profile's keys (`keys.format` and `keys.distribution`), bodies its
/// `values` sizes. The run declares what it names before it starts — the exchange when
/// `exchangeType` is given (otherwise the exchange must exist; the default exchange `""` always
/// does) and every queue in `queues`, bound to the exchange with its binding key — so a profile
/// runs against a fresh broker and its queues hold what it published. Declarations are idempotent
/// in RabbitMQ: an existing queue or binding with the same properties is left as it is.
public struct AMQPSettings: Sendable, Equatable {
    /// A queue the run declares (not durable, not exclusive, not auto-deleted) and, on a named
    /// exchange, binds with `bindingKey` (for `x-consistent-hash` the binding key is the weight).
    public struct Queue: Sendable, Equatable {
        public var name: [UInt8]
        public var bindingKey: [UInt8]?
        public init(name: [UInt8], bindingKey: [UInt8]? = nil) {
            self.name = name
            self.bindingKey = bindingKey
        }
    }

    /// The exchange publishes go to; empty: the default exchange (routing key = queue name).
    public var exchange: [UInt8] = []
    /// Declare the exchange with this type (direct, topic, fanout, headers, x-consistent-hash…); nil: it must exist.
    public var exchangeType: String?
    /// Publisher confirms (`confirm.select`): a publish completes with the broker's basic.ack or
    /// basic.nack (`multiple` settles every earlier one too), and its latency runs to it. Without
    /// confirms a publish completes when it is written: no latency is measured for it.
    public var confirms = true
    public var queues: [Queue] = []
    /// Empty queues before the run (queue.purge), so that broker counts are this run's alone.
    public var purge = false
    /// Consumer connections (0: none). Each consumes from its share of `queues` (queue i on
    /// connection i mod n), acknowledges every delivery (`multiple`, once per read) and counts it.
    public var consumerConnections = 0
    /// basic.qos prefetch count of each consumer channel.
    public var prefetch: UInt16 = 100
    public var user = "guest"
    public var password = "guest"
    public var virtualHost = "/"

    public init() {}
}

extension AMQPSettings {
    /// A publisher's channel: confirm.select when confirms are on.
    var publisherSteps: [AMQPHandshakeHandler.Step] {
        confirms ? [.init(frame: AMQPFrameWriter.confirmSelect(1), replyClass: 85, replyMethod: 11)] : []
    }

    /// Before the run: the exchange (when a type is given), each queue, its binding and purge.
    var setupSteps: [AMQPHandshakeHandler.Step] {
        var steps: [AMQPHandshakeHandler.Step] = []
        if let exchangeType, !exchange.isEmpty {
            steps.append(.init(frame: AMQPFrameWriter.exchangeDeclare(1, name: exchange, type: exchangeType), replyClass: 40, replyMethod: 11))
        }
        for queue in queues {
            steps.append(.init(frame: AMQPFrameWriter.queueDeclare(1, name: queue.name), replyClass: 50, replyMethod: 11))
            if !exchange.isEmpty, let key = queue.bindingKey {
                steps.append(
                    .init(
                        frame: AMQPFrameWriter.queueBind(1, queue: queue.name, exchange: exchange, bindingKey: key),
                        replyClass: 50, replyMethod: 21))
            }
            if purge {
                steps.append(.init(frame: AMQPFrameWriter.queuePurge(1, queue: queue.name), replyClass: 50, replyMethod: 31))
            }
        }
        return steps
    }

    /// A consumer connection: prefetch, then basic.consume on each of its queues with the queue's
    /// name as the consumer tag (so a delivery's tag names its queue).
    func consumerSteps(queues names: [[UInt8]]) -> [AMQPHandshakeHandler.Step] {
        [.init(frame: AMQPFrameWriter.basicQos(1, prefetch: prefetch), replyClass: 60, replyMethod: 11)]
            + names.map { .init(frame: AMQPFrameWriter.basicConsume(1, queue: $0, tag: $0), replyClass: 60, replyMethod: 21) }
    }
}
