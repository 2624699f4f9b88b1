import DequeModule
import HotshardBytes
import HotshardCapture

/// AMQP 0-9-1 conversations (RabbitMQ): frames across any segmentation, channels, and the
/// methods that move messages.
///
/// - `basic.publish` is a write keyed by its routing key (or `exchange/routing-key`, see
///   `AMQPKeyMode`), its request bytes the body size from the content header. On a channel in
///   confirm mode (`confirm.select`) its reply is the broker's `basic.ack` / `basic.nack` for its
///   sequence number (the `multiple` flag confirms every earlier one too), whatever order the
///   confirms come in, and its latency runs from its last body byte to the confirm; it carries
///   that number (`Message.publishSequence`). Otherwise it is emitted with status `noReply`.
/// - `basic.deliver` and `basic.get-ok` are reads keyed by the queue (the queue the consumer
///   tag was started on by `basic.consume`/`consume-ok`, or the one `basic.get` named); their
///   reply is the client's `basic.ack` (`ok`), `basic.nack` or `basic.reject` (errors `nack`,
///   `reject`) for their delivery tag, latency from the delivery's last byte to the ack. Deliveries
///   to no-ack consumers are emitted with status `noReply`. A delivery to a consumer the capture did
///   not see start is keyed by its routing key when it came through the default exchange (where
///   the routing key is the queue's name), else by its consumer tag.
/// - `queue.declare`, `basic.consume` and `confirm.select` are keyless requests answered by their
///   `-ok` (or by a `channel.close`, whose reply code is the error kind). `queue.bind` is answered
///   the same way and names its binding as three keys, queue, exchange and routing key, in that
///   order (operation `other`): the analyzer takes them as a binding, not as hot keys, so that
///   a queue's inflow can be found from the publishes whose routing key binds to it.
///
/// Bad frames are counted and skipped to the next frame boundary (`AMQPFrameReader`). Memory is
/// bounded: frames by the reader's caps, in-flight publishes and deliveries together by
/// `maxPendingRequests` (beyond it the oldest is emitted unanswered), consumers by `maxConsumers`.
public struct AMQPParser: ConversationParser {
    static let maxConsumers = 65_536

    private let flow: FlowID
    private let maxPending: Int
    private let keyMode: AMQPKeyMode
    private var clientReader = AMQPFrameReader(client: true)
    private var serverReader = AMQPFrameReader(client: false)
    private var channels: [UInt16: AMQPChannel] = [:]
    private var pendingCount = 0
    private var consumerCount = 0
    private var parserHealth = ParserHealth()

    public init(flow: FlowID, configuration: DecoderConfiguration = DecoderConfiguration()) {
        self.flow = flow
        maxPending = max(1, configuration.maxPendingRequests)
        keyMode = configuration.amqpKey
    }

    public var health: ParserHealth {
        var total = parserHealth
        total += clientReader.health
        total += serverReader.health
        return total
    }

    public mutating func feed(
        _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView,
        emit: (inout Message) -> Void
    ) {
        // The reader is moved out while its callback changes the rest of the parser.
        if direction == .clientToServer {
            var reader = clientReader
            clientReader = AMQPFrameReader(client: false)
            reader.consume(bytes, timestampNanos: timestampNanos) { frame, payload in
                self.frame(frame, payload, fromClient: true, now: timestampNanos, emit: emit)
            }
            clientReader = reader
        } else {
            var reader = serverReader
            serverReader = AMQPFrameReader(client: false)
            reader.consume(bytes, timestampNanos: timestampNanos) { frame, payload in
                self.frame(frame, payload, fromClient: false, now: timestampNanos, emit: emit)
            }
            serverReader = reader
        }
    }

    public mutating func gap(
        _ direction: FlowDirection, timestampNanos: Int64, length: Int,
        emit: (inout Message) -> Void
    ) {
        let kept = direction == .clientToServer ? clientReader.skip(length) : serverReader.skip(length)
        guard !kept else { return }
        // Content in progress in that direction lost its framing: drop it.
        for id in Array(channels.keys) {
            if direction == .clientToServer {
                if channels[id]?.publishing != nil { parserHealth.unansweredRequests += 1 }
                channels[id]?.publishing = nil
            } else {
                channels[id]?.delivering = nil
            }
        }
    }

    public mutating func finish(timestampNanos: Int64, emit: (inout Message) -> Void) {
        for id in channels.keys.sorted() { closeChannel(id, emit: emit) }
    }

    // MARK: Client to server

    /// One frame in either direction: methods go to the direction's handler; content headers and
    /// bodies are a publish's from the client and a delivery's from the server.
    private mutating func frame(
        _ frame: AMQPFrameReader.Frame, _ payload: ByteView, fromClient: Bool, now: Int64,
        emit: (inout Message) -> Void
    ) {
        switch frame.type {
        case .method:
            var reader = AMQPArgumentReader(payload)
            guard let classID = reader.short(), let methodID = reader.short() else { return malformed() }
            if fromClient {
                clientMethod(classID, methodID, &reader, frame: frame, now: now, emit: emit)
            } else {
                serverMethod(classID, methodID, &reader, frame: frame, now: now, emit: emit)
            }
        case .header:
            contentHeader(payload, channel: frame.channel, publishing: fromClient, now: now, emit: emit)
        case .body:
            contentBody(frame.size, channel: frame.channel, publishing: fromClient, now: now, emit: emit)
        case .heartbeat:
            break
        }
    }

    private mutating func clientMethod(
        _ classID: UInt16, _ methodID: UInt16, _ reader: inout AMQPArgumentReader,
        frame: AMQPFrameReader.Frame, now: Int64, emit: (inout Message) -> Void
    ) {
        let id = frame.channel
        switch (classID, methodID) {
        case (60, 40):  // basic.publish
            guard reader.short() != nil, let exchange = reader.shortString(), let routingKey = reader.shortString()
            else { return malformed() }
            if channels[id]?.publishing != nil {
                // A publish whose content never came: the stream is not what it claims.
                parserHealth.parseErrors += 1
                channels[id]?.publishing = nil
            }
            // Out of the table while it changes, so that its queues are not copied.
            var channel = channels.removeValue(forKey: id) ?? AMQPChannel()
            var message = Message(
                timestampNanos: frame.firstNanos, flow: flow, wireProtocol: .amqp,
                command: "basic.publish", operation: .write,
                keys: KeyList([KeyReference(key: publishKey(exchange: exchange, routingKey: routingKey))]),
                requestBytes: 0, requestOffset: frame.streamOffset)
            message.status = .noReply
            let tag = channel.confirmMode ? channel.nextPublishTag : 0
            message.publishSequence = UInt32(truncatingIfNeeded: tag)
            if channel.confirmMode { channel.nextPublishTag &+= 1 }
            channel.publishing = AMQPChannel.Assembly(
                pending: AMQPChannel.Pending(tag: tag, message: message, lastNanos: now),
                kind: .publish(confirmed: channel.confirmMode), bodyRemaining: nil)
            channels[id] = channel
        case (60, 80), (60, 120), (60, 90):  // basic.ack, basic.nack, basic.reject: deliveries
            guard let tag = reader.longLong(), let bits = reader.octet() else { return malformed() }
            let multiple = methodID != 90 && bits & 1 != 0
            let status: ReplyStatus =
                switch methodID {
                case 80: .ok
                case 120: .error(kind: "nack")
                default: .error(kind: "reject")
                }
            settle(channel: id, deliveries: true, tag: tag, multiple: multiple, status: status, now: now, emit: emit)
        case (50, 10):  // queue.declare
            guard reader.short() != nil, reader.shortString() != nil, let bits = reader.octet() else { return malformed() }
            synchronous(id, "queue.declare", frame: frame, noWait: bits & 0x10 != 0, reply: (50, 11), emit: emit)
        case (50, 20):  // queue.bind
            guard reader.short() != nil, let queue = reader.shortString(), let exchange = reader.shortString(),
                let routingKey = reader.shortString(), let bits = reader.octet()
            else { return malformed() }
            let names = KeyList([
                KeyReference(key: Key(queue)), KeyReference(key: Key(exchange)), KeyReference(key: Key(routingKey)),
            ])
            synchronous(
                id, "queue.bind", frame: frame, noWait: bits & 1 != 0, reply: (50, 21), keys: names, emit: emit)
        case (60, 20):  // basic.consume
            guard reader.short() != nil, let queue = reader.shortString(), let tag = reader.shortString(),
                let bits = reader.octet()
            else { return malformed() }
            let consumer = AMQPChannel.Consumer(queue: Key(queue), acknowledges: bits & 0x02 == 0)
            if tag.count > 0 { addConsumer(Key(tag), consumer, channel: id) }
            synchronous(id, "basic.consume", frame: frame, noWait: bits & 0x08 != 0, reply: (60, 21), emit: emit)
            if tag.count == 0 { channels[id]?.synchronous?.consumer = consumer }
        case (60, 70):  // basic.get
            guard reader.short() != nil, let queue = reader.shortString(), let bits = reader.octet() else { return malformed() }
            channels[id, default: AMQPChannel()].getting = AMQPChannel.Consumer(queue: Key(queue), acknowledges: bits & 1 == 0)
        case (85, 10):  // confirm.select
            guard let bits = reader.octet() else { return malformed() }
            if channels[id]?.confirmMode != true {
                channels[id, default: AMQPChannel()].confirmMode = true
                channels[id]?.nextPublishTag = 1
            }
            synchronous(id, "confirm.select", frame: frame, noWait: bits & 1 != 0, reply: (85, 11), emit: emit)
        case (20, 10):  // channel.open: a fresh channel
            closeChannel(id, emit: emit)
        case (20, 41):  // channel.close-ok (the broker closed the channel)
            closeChannel(id, emit: emit)
        case (10, 51):  // connection.close-ok
            finish(timestampNanos: now, emit: emit)
        default:
            break
        }
    }

    // MARK: Server to client

    private mutating func serverMethod(
        _ classID: UInt16, _ methodID: UInt16, _ reader: inout AMQPArgumentReader,
        frame: AMQPFrameReader.Frame, now: Int64, emit: (inout Message) -> Void
    ) {
        let id = frame.channel
        switch (classID, methodID) {
        case (60, 60):  // basic.deliver
            guard let consumerTag = reader.shortString(), let tag = reader.longLong(), reader.octet() != nil,
                let exchange = reader.shortString(), let routingKey = reader.shortString()
            else { return malformed() }
            let consumer = channels[id]?.consumers[Key(consumerTag)]
            let queue = consumer?.queue ?? Key(exchange.count == 0 ? routingKey : consumerTag)
            startDelivery(
                "basic.deliver", queue: queue, tag: tag, acknowledged: consumer?.acknowledges ?? true,
                frame: frame, now: now)
        case (60, 71):  // basic.get-ok
            guard let tag = reader.longLong(), reader.octet() != nil, let exchange = reader.shortString(),
                let routingKey = reader.shortString()
            else { return malformed() }
            let getting = channels[id]?.getting
            channels[id]?.getting = nil
            let queue = getting?.queue ?? Key(exchange.count == 0 ? routingKey : ByteView.empty)
            startDelivery(
                "basic.get-ok", queue: queue, tag: tag, acknowledged: getting?.acknowledges ?? true,
                frame: frame, now: now)
        case (60, 72):  // basic.get-empty
            channels[id]?.getting = nil
        case (60, 50):  // basic.return: its content is read and dropped
            channels[id, default: AMQPChannel()].delivering = AMQPChannel.Assembly(
                pending: AMQPChannel.Pending(tag: 0, message: .blank(flow: flow, wireProtocol: .amqp), lastNanos: now),
                kind: .ignored, bodyRemaining: nil)
        case (60, 80), (60, 120):  // publisher confirms
            guard let tag = reader.longLong(), let bits = reader.octet() else { return malformed() }
            settle(
                channel: id, deliveries: false, tag: tag, multiple: bits & 1 != 0,
                status: methodID == 80 ? .ok : .error(kind: "nack"), now: now, emit: emit)
        case (60, 21):  // basic.consume-ok
            guard let tag = reader.shortString() else { return malformed() }
            if let consumer = channels[id]?.synchronous?.consumer { addConsumer(Key(tag), consumer, channel: id) }
            answer(id, (classID, methodID), status: .ok, now: now, emit: emit)
        case (50, 11), (50, 21), (85, 11):
            answer(id, (classID, methodID), status: .ok, now: now, emit: emit)
        case (20, 40):  // channel.close by the broker: the waiting request failed with its reply code
            let code = reader.short().map { String($0) } ?? "channel.close"
            if let synchronous = channels[id]?.synchronous {
                answer(
                    id, (synchronous.replyClass, synchronous.replyMethod), status: .error(kind: ErrorKind(code)),
                    now: now, emit: emit)
            }
        case (20, 41):  // channel.close-ok (the client closed the channel)
            closeChannel(id, emit: emit)
        case (10, 51):  // connection.close-ok
            finish(timestampNanos: now, emit: emit)
        default:
            break
        }
    }

    // MARK: Content

    private mutating func startDelivery(
        _ command: String, queue: Key, tag: UInt64, acknowledged: Bool,
        frame: AMQPFrameReader.Frame, now: Int64
    ) {
        let message = Message(
            timestampNanos: frame.firstNanos, flow: flow, wireProtocol: .amqp, command: command,
            operation: .read, keys: KeyList([KeyReference(key: queue)]), requestBytes: 0)
        if channels[frame.channel]?.delivering != nil { parserHealth.parseErrors += 1 }
        channels[frame.channel, default: AMQPChannel()].delivering = AMQPChannel.Assembly(
            pending: AMQPChannel.Pending(tag: tag, message: message, lastNanos: now),
            kind: .delivery(acknowledged: acknowledged), bodyRemaining: nil)
    }

    private mutating func contentHeader(
        _ payload: ByteView, channel id: UInt16, publishing: Bool,
        now: Int64, emit: (inout Message) -> Void
    ) {
        var reader = AMQPArgumentReader(payload)
        guard reader.short() != nil, reader.short() != nil, let size = reader.longLong() else { return malformed() }
        guard var assembly = publishing ? channels[id]?.publishing : channels[id]?.delivering,
            assembly.bodyRemaining == nil
        else {
            // Content with no method before it (the capture started mid-message).
            parserHealth.skippedBytes += payload.count
            return
        }
        guard size <= UInt64(Int.max) else { return malformed() }
        assembly.bodyRemaining = Int(size)
        assembly.pending.message.requestBytes = Int(size)
        assembly.pending.lastNanos = now
        store(assembly, channel: id, publishing: publishing)
        if size == 0 { complete(channel: id, publishing: publishing, emit: emit) }
    }

    private mutating func contentBody(
        _ size: Int, channel id: UInt16, publishing: Bool, now: Int64,
        emit: (inout Message) -> Void
    ) {
        guard var assembly = publishing ? channels[id]?.publishing : channels[id]?.delivering,
            let remaining = assembly.bodyRemaining
        else {
            parserHealth.skippedBytes += size
            return
        }
        guard size <= remaining else {
            // More body than the header announced.
            parserHealth.parseErrors += 1
            store(nil, channel: id, publishing: publishing)
            return
        }
        assembly.bodyRemaining = remaining - size
        assembly.pending.lastNanos = now
        store(assembly, channel: id, publishing: publishing)
        if remaining == size { complete(channel: id, publishing: publishing, emit: emit) }
    }

    private mutating func store(_ assembly: AMQPChannel.Assembly?, channel id: UInt16, publishing: Bool) {
        if publishing { channels[id]?.publishing = assembly } else { channels[id]?.delivering = assembly }
    }

    /// The content is whole: emit it, or queue it for its confirm or ack.
    private mutating func complete(channel id: UInt16, publishing: Bool, emit: (inout Message) -> Void) {
        guard let assembly = publishing ? channels[id]?.publishing : channels[id]?.delivering else { return }
        store(nil, channel: id, publishing: publishing)
        var pending = assembly.pending
        switch assembly.kind {
        case .ignored:
            return
        case .publish(confirmed: false), .delivery(acknowledged: false):
            emit(&pending.message)
            return
        case .publish(confirmed: true):
            channels[id]?.unconfirmed.append(pending)
        case .delivery(acknowledged: true):
            channels[id]?.unacknowledged.append(pending)
        }
        pendingCount += 1
        if pendingCount > maxPending { evictOldest(preferring: id, emit: emit) }
    }

    /// Over the cap: the oldest publish or delivery of the channel is given up as unanswered.
    private mutating func evictOldest(preferring id: UInt16, emit: (inout Message) -> Void) {
        let candidates = [id] + channels.keys.filter { $0 != id }
        for candidate in candidates {
            if var pending = channels[candidate]?.unconfirmed.popFirst() ?? channels[candidate]?.unacknowledged.popFirst() {
                pendingCount -= 1
                parserHealth.unansweredRequests += 1
                emit(&pending.message)
                return
            }
        }
    }

    // MARK: Settling

    /// Confirms (`deliveries` false) or acks: `tag` alone, or with `multiple` every tag up to it
    /// (0 with `multiple`: everything outstanding).
    private mutating func settle(
        channel id: UInt16, deliveries: Bool, tag: UInt64, multiple: Bool, status: ReplyStatus,
        now: Int64, emit: (inout Message) -> Void
    ) {
        // Out of the table while it changes, so that its queues are not copied.
        guard var channel = channels.removeValue(forKey: id) else {
            parserHealth.unpairedReplies += 1
            return
        }
        var queue = deliveries ? channel.unacknowledged : channel.unconfirmed
        if deliveries { channel.unacknowledged = [] } else { channel.unconfirmed = [] }
        var settled = 0
        if multiple {
            while let first = queue.first, tag == 0 || first.tag <= tag {
                var pending = queue.removeFirst()
                answer(&pending, status: status, now: now)
                emit(&pending.message)
                settled += 1
            }
        } else if let index = queue.firstIndex(where: { $0.tag == tag }) {
            var pending = queue.remove(at: index)
            answer(&pending, status: status, now: now)
            emit(&pending.message)
            settled = 1
        }
        if settled == 0 { parserHealth.unpairedReplies += 1 }
        pendingCount -= settled
        if deliveries { channel.unacknowledged = queue } else { channel.unconfirmed = queue }
        channels[id] = channel
    }

    private func answer(_ pending: inout AMQPChannel.Pending, status: ReplyStatus, now: Int64) {
        pending.message.status = status
        pending.message.latencyNanos = max(0, now - pending.lastNanos)
    }

    // MARK: Synchronous requests

    private mutating func synchronous(
        _ id: UInt16, _ command: String, frame: AMQPFrameReader.Frame, noWait: Bool,
        reply: (UInt16, UInt16), keys: KeyList = KeyList(), emit: (inout Message) -> Void
    ) {
        var message = Message(
            timestampNanos: frame.firstNanos, flow: flow, wireProtocol: .amqp, command: command,
            operation: .other, keys: keys, requestBytes: frame.size + 8,
            requestOffset: frame.streamOffset)
        if noWait {
            emit(&message)
            return
        }
        if var earlier = channels[id]?.synchronous?.message {
            // A second synchronous request before the first's reply: the first went unanswered.
            parserHealth.unansweredRequests += 1
            emit(&earlier)
        }
        channels[id, default: AMQPChannel()].synchronous = AMQPChannel.Synchronous(
            message: message, replyClass: reply.0, replyMethod: reply.1, consumer: nil)
    }

    private mutating func answer(
        _ id: UInt16, _ reply: (UInt16, UInt16), status: ReplyStatus, now: Int64,
        emit: (inout Message) -> Void
    ) {
        guard let synchronous = channels[id]?.synchronous,
            synchronous.replyClass == reply.0, synchronous.replyMethod == reply.1
        else {
            parserHealth.unpairedReplies += 1
            return
        }
        channels[id]?.synchronous = nil
        var message = synchronous.message
        message.status = status
        message.latencyNanos = max(0, now - message.timestampNanos)
        emit(&message)
    }

    // MARK: State

    private mutating func addConsumer(_ tag: Key, _ consumer: AMQPChannel.Consumer, channel id: UInt16) {
        if channels[id]?.consumers[tag] == nil {
            guard consumerCount < Self.maxConsumers else {
                parserHealth.oversized += 1
                return
            }
            consumerCount += 1
        }
        channels[id, default: AMQPChannel()].consumers[tag] = consumer
    }

    /// The channel ended (or reopened): what waited on it goes out unanswered.
    private mutating func closeChannel(_ id: UInt16, emit: (inout Message) -> Void) {
        guard let channel = channels.removeValue(forKey: id) else { return }
        consumerCount -= channel.consumers.count
        pendingCount -= channel.pendingCount
        for var pending in channel.unconfirmed { parserHealth.unansweredRequests += 1; emit(&pending.message) }
        for var pending in channel.unacknowledged { parserHealth.unansweredRequests += 1; emit(&pending.message) }
        if var message = channel.synchronous?.message {
            parserHealth.unansweredRequests += 1
            emit(&message)
        }
    }

    private mutating func malformed() {
        parserHealth.parseErrors += 1
    }

    private func publishKey(exchange: ByteView, routingKey: ByteView) -> Key {
        guard keyMode == .exchangeAndRoutingKey, exchange.count > 0 else { return Key(routingKey) }
        var bytes = [UInt8](exchange)
        bytes.append(UInt8(ascii: "/"))
        bytes.append(contentsOf: routingKey)
        return Key(bytes)
    }
}
