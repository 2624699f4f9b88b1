import Foundation
import HotshardAnalysis
import HotshardBytes
import HotshardCapture
import HotshardProtocols
import NIOCore
import NIOPosix

/// The consumers of a load run (`amqp.consumers`): connections that basic.consume the profile's
/// queues (queue i on connection i mod n) and acknowledge every delivery once its body is whole
/// (one basic.ack with `multiple` per read, as batching clients do). Deliveries are counted per
/// queue, and the connection's bytes both ways go through `AMQPParser`, whose delivery messages
/// (keyed by queue, latency delivery → ack) feed the run's analysis like any other message.
///
/// Confined to `loop` (hence `@unchecked Sendable`). Starts before the publishers, and ends after
/// them once no delivery came for `idleNanos` (the queues are drained) or at `deadlineNanos`.
final class AMQPConsumerGroup: @unchecked Sendable {
    /// What the consumers received.
    struct Result {
        var deliveries: [Key: Int]
        var analysis: AnalysisSnapshot
        var health: ParserHealth
        /// Connections the broker did not answer connection.close on (their last acks may not
        /// have settled their deliveries).
        var unansweredCloses: Int
    }

    private final class Connection {
        let queues: [[UInt8]]
        var channel: Channel?
        var reader = AMQPFrameReader(client: false)
        var parser: AMQPParser
        /// The delivery whose content is arriving: its queue (the consumer tag), tag and body bytes left.
        var delivering: (queue: Key, tag: UInt64, remaining: Int?)?
        var lastComplete: UInt64 = 0
        var lastAcked: UInt64 = 0

        init(queues: [[UInt8]], flow: FlowID) {
            self.queues = queues
            var configuration = DecoderConfiguration()
            configuration.maxPendingRequests = 1 << 20
            parser = AMQPParser(flow: flow, configuration: configuration)
        }
    }

    let loop: EventLoop
    private let settings: AMQPSettings
    private let target: LoadTarget
    private let timeoutNanos: Int64
    private let analyzer: HotKeyAnalyzer
    private var connections: [Connection] = []
    private var deliveries: [Key: Int] = [:]
    private var lastDeliveryUptime: Int64 = 0
    private var batch: [Message] = []

    init(loop: EventLoop, settings: AMQPSettings, target: LoadTarget, timeoutNanos: Int64, analysis: AnalysisConfiguration) {
        self.loop = loop
        self.settings = settings
        self.target = target
        self.timeoutNanos = timeoutNanos
        self.analyzer = HotKeyAnalyzer(configuration: analysis)
    }

    private static func uptime() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }
    private static func wall() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

    /// Opens every consumer connection; completes when all of them consume.
    func start() -> EventLoopFuture<Void> {
        loop.flatSubmit { [self] in
            let count = max(1, settings.consumerConnections)
            let address: SocketAddress
            do { address = try SocketAddress(ipAddress: target.host, port: target.port) } catch { return loop.makeFailedFuture(error) }
            var opened: [EventLoopFuture<Void>] = []
            for index in 0..<count {
                let queues = settings.queues.enumerated().filter { $0.offset % count == index }.map(\.element.name)
                guard !queues.isEmpty else { continue }
                let flow = FlowID(
                    client: Endpoint(ipv4: 0x7f00_0001, port: UInt16(truncatingIfNeeded: 60_000 + index)),
                    server: Endpoint(ipv4: 0x7f00_0001, port: UInt16(truncatingIfNeeded: target.port)), transport: .tcp)
                let connection = Connection(queues: queues, flow: flow)
                let slot = connections.count
                connections.append(connection)
                let group = self
                let future = AMQPHandshakeHandler.connect(
                    loop: loop, address: address, settings: settings, steps: settings.consumerSteps(queues: queues),
                    timeoutNanos: timeoutNanos, makeNext: { AMQPConsumerHandler(group: group, slot: slot) }
                ).map { channel, transcript in
                    group.opened(slot, channel: channel, transcript: transcript)
                }
                opened.append(future)
            }
            lastDeliveryUptime = Self.uptime()
            return EventLoopFuture.andAllSucceed(opened, on: loop)
        }
    }

    /// Consumer connection `slot` consumes: its parser learns the handshake (the consumer tags' queues).
    private func opened(_ slot: Int, channel: Channel, transcript: AMQPHandshakeHandler.Transcript) {
        let connection = connections[slot]
        connection.channel = channel
        let now = Self.wall()
        transcript.sent.withByteView { connection.parser.feed(.clientToServer, timestampNanos: now, bytes: $0) { _ in } }
        transcript.received.withByteView { connection.parser.feed(.serverToClient, timestampNanos: now, bytes: $0) { _ in } }
    }

    /// Bytes from consumer connection `slot`: deliveries counted, the whole ones acknowledged.
    func received(_ slot: Int, _ buffer: ByteBuffer) {
        let connection = connections[slot]
        let now = Self.wall()
        buffer.withUnsafeReadableBytes { buffer in
            let bytes = ByteView(buffer)
            connection.parser.feed(.serverToClient, timestampNanos: now, bytes: bytes) { batch.append($0) }
            connection.reader.consume(bytes, timestampNanos: now) { frame, payload in
                track(frame, payload, connection)
            }
        }
        if connection.lastComplete > connection.lastAcked, let channel = connection.channel {
            let ack = AMQPFrameWriter.basicAck(1, tag: connection.lastComplete, multiple: true)
            connection.lastAcked = connection.lastComplete
            ack.withByteView { connection.parser.feed(.clientToServer, timestampNanos: now, bytes: $0) { batch.append($0) } }
            channel.writeAndFlush(channel.allocator.buffer(bytes: ack), promise: nil)
        }
        if batch.count >= 64 {
            analyzer.receive(contentsOf: batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    private func track(_ frame: AMQPFrameReader.Frame, _ payload: ByteView, _ connection: Connection) {
        switch frame.type {
        case .method:
            var arguments = AMQPArgumentReader(payload)
            guard arguments.short() == 60, arguments.short() == 60, let consumerTag = arguments.shortString(),
                let tag = arguments.longLong()
            else { return }
            connection.delivering = (Key(consumerTag), tag, nil)
        case .header:
            var arguments = AMQPArgumentReader(payload)
            guard connection.delivering != nil, arguments.short() != nil, arguments.short() != nil,
                let size = arguments.longLong(), size <= UInt64(Int.max)
            else { return }
            connection.delivering?.remaining = Int(size)
            if size == 0 { completeDelivery(connection) }
        case .body:
            guard let remaining = connection.delivering?.remaining else { return }
            connection.delivering?.remaining = remaining - frame.size
            if remaining - frame.size <= 0 { completeDelivery(connection) }
        case .heartbeat:
            break
        }
    }

    private func completeDelivery(_ connection: Connection) {
        guard let delivery = connection.delivering else { return }
        connection.delivering = nil
        deliveries[delivery.queue, default: 0] += 1
        connection.lastComplete = delivery.tag
        lastDeliveryUptime = Self.uptime()
    }

    /// After the publishers: waits until no delivery came for `idleNanos` (or `deadlineNanos`
    /// passed), closes the connections and returns what was consumed once they are closed.
    /// Deliveries that arrive after the close are neither counted nor acknowledged: the broker
    /// requeues them, so the queues' counts and the deliveries counted still add up.
    func finish(idleNanos: Int64, deadlineNanos: Int64) -> EventLoopFuture<Result> {
        let promise = loop.makePromise(of: Result.self)
        loop.execute { [self] in
            let deadline = Self.uptime() + deadlineNanos
            loop.scheduleRepeatedTask(initialDelay: .milliseconds(20), delay: .milliseconds(20)) { [self] task in
                let now = Self.uptime()
                guard now - lastDeliveryUptime >= idleNanos || now >= deadline else { return }
                task.cancel()
                closeAll().whenSuccess { [self] unanswered in
                    var health = ParserHealth()
                    for connection in connections { health += connection.parser.health }
                    analyzer.receive(contentsOf: batch)
                    batch.removeAll()
                    promise.succeed(
                        Result(deliveries: deliveries, analysis: analyzer.snapshot(), health: health, unansweredCloses: unanswered))
                }
            }
        }
        return promise.futureResult
    }

    /// Closes every connection (the run failed); completes once they are closed.
    func close() -> EventLoopFuture<Void> {
        loop.flatSubmit { [self] in closeAll().map { _ in } }
    }

    /// Closes every connection with connection.close, the last acks written before it; the future
    /// gives how many the broker did not answer.
    private func closeAll() -> EventLoopFuture<Int> {
        let channels = connections.compactMap(\.channel)
        for connection in connections { connection.channel = nil }
        return AMQPCloseHandler.close(channels, timeoutNanos: timeoutNanos, on: loop)
    }
}
