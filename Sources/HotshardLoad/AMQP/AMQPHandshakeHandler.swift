import HotshardBytes
import HotshardProtocols
import NIOCore
import NIOPosix

/// Opens an AMQP 0-9-1 connection the way a client library does — protocol header,
/// connection.start → start-ok (PLAIN), tune → tune-ok + open, open-ok → channel.open on channel 1 —
/// then sends `steps` one at a time on channel 1 (confirm.select, declarations, basic.qos,
/// basic.consume…), each waiting for its `-ok`. When the last is answered it completes `promise`
/// with the bytes both ways (the load client's `AMQPParser` is fed them, so it knows the channel's
/// confirm mode and consumers as a capture's parser would) and from then on passes bytes through.
///
/// A broker that closes the connection or the channel fails the promise with its reply code and
/// text; so does silence for `timeoutNanos`. The first bytes read after the handshake are passed
/// on after the promise's callbacks ran (they run at once on this event loop), so the handler
/// after this one is ready for them. `connect` puts an `AMQPCloseHandler` right after this one, so
/// that the connection can be closed as a client library closes it.
final class AMQPHandshakeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A method to send after the channel opened, and the `-ok` (class, method) that answers it.
    struct Step: Sendable {
        var frame: [UInt8]
        var replyClass: UInt16
        var replyMethod: UInt16
    }

    /// What went each way during the handshake, and the message counts queue.declare-ok reported.
    struct Transcript: Sendable {
        var sent: [UInt8] = []
        var received: [UInt8] = []
        var queueMessages: [[UInt8]: UInt32] = [:]
    }

    private let settings: AMQPSettings
    private let steps: [Step]
    private let promise: EventLoopPromise<Transcript>
    private let timeoutNanos: Int64
    private var reader = AMQPFrameReader(client: false)
    private var transcript = Transcript()
    private var nextStep = 0
    private var done = false
    private var failed = false
    /// Bytes received before the current read.
    private var receivedCount = 0
    private var timeout: Scheduled<Void>?

    init(settings: AMQPSettings, steps: [Step], timeoutNanos: Int64, promise: EventLoopPromise<Transcript>) {
        self.settings = settings
        self.steps = steps
        self.timeoutNanos = timeoutNanos
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        send(AMQPFrameWriter.protocolHeader, context: context)
        let promise = self.promise
        let channel = context.channel
        timeout = context.eventLoop.scheduleTask(in: .nanoseconds(timeoutNanos)) {
            promise.fail(AMQPConnectionError.timeout)
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        if !done { fail(.closedDuringHandshake, context: context) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else {
            context.fireChannelRead(data)
            return
        }
        let buffer = Self.unwrapInboundIn(data)
        let base = receivedCount
        receivedCount += buffer.readableBytes
        var end: Int?
        buffer.withUnsafeReadableBytes { bytes in
            reader.consume(ByteView(bytes), timestampNanos: 0) { frame, payload in
                guard !done, !failed else { return }
                handle(frame, payload, context: context)
                if done { end = frame.streamOffset + 8 + frame.size - base }
            }
        }
        guard let end else {
            buffer.withUnsafeReadableBytes { transcript.received.append(contentsOf: $0) }
            return
        }
        buffer.withUnsafeReadableBytes { transcript.received.append(contentsOf: $0.prefix(end)) }
        timeout?.cancel()
        promise.succeed(transcript)
        if end < buffer.readableBytes, let rest = buffer.getSlice(at: buffer.readerIndex + end, length: buffer.readableBytes - end) {
            context.fireChannelRead(Self.wrapInboundOut(rest))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !done { promise.fail(error) }
        context.close(promise: nil)
    }

    private func handle(_ frame: AMQPFrameReader.Frame, _ payload: ByteView, context: ChannelHandlerContext) {
        guard frame.type == .method else { return }
        var arguments = AMQPArgumentReader(payload)
        guard let classID = arguments.short(), let methodID = arguments.short() else {
            return fail(.unexpected("a method frame too short to read"), context: context)
        }
        switch (classID, methodID) {
        case (10, 10):  // connection.start
            send(AMQPFrameWriter.startOK(user: settings.user, password: settings.password), context: context)
        case (10, 30):  // connection.tune
            guard let channelMax = arguments.short(), let frameMax = arguments.long() else {
                return fail(.unexpected("connection.tune too short"), context: context)
            }
            if frameMax != 0, frameMax < UInt32(AMQPFrameWriter.frameMax) {
                return fail(.frameMaxTooSmall(frameMax), context: context)
            }
            send(
                AMQPFrameWriter.tuneOK(channelMax: channelMax, frameMax: UInt32(AMQPFrameWriter.frameMax))
                    + AMQPFrameWriter.connectionOpen(virtualHost: settings.virtualHost), context: context)
        case (10, 41):  // connection.open-ok
            send(AMQPFrameWriter.channelOpen(1), context: context)
        case (20, 11):  // channel.open-ok
            nextOrDone(context: context)
        case (10, 50), (20, 40):  // connection.close, channel.close: refused
            let code = arguments.short() ?? 0
            let text = arguments.shortString().map { String(decoding: $0, as: UTF8.self) } ?? ""
            fail(.refused(code: code, text: text), context: context)
        case (let replyClass, let replyMethod):
            guard nextStep > 0, nextStep <= steps.count, steps[nextStep - 1].replyClass == replyClass,
                steps[nextStep - 1].replyMethod == replyMethod
            else { return }
            if (replyClass, replyMethod) == (50, 11), let queue = arguments.shortString(), let count = arguments.long() {
                transcript.queueMessages[Array(queue)] = count
            }
            nextOrDone(context: context)
        }
    }

    private func nextOrDone(context: ChannelHandlerContext) {
        if nextStep < steps.count {
            send(steps[nextStep].frame, context: context)
            nextStep += 1
        } else {
            done = true
        }
    }

    private func send(_ bytes: [UInt8], context: ChannelHandlerContext) {
        transcript.sent += bytes
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    private func fail(_ error: AMQPConnectionError, context: ChannelHandlerContext) {
        guard !failed else { return }
        failed = true
        timeout?.cancel()
        promise.fail(error)
        context.close(promise: nil)
    }
}

extension AMQPHandshakeHandler {
    /// Connects to `address`, runs the handshake and `steps`, and adds an `AMQPCloseHandler` and
    /// `next` (made by `makeNext`) after the handshake handler. The future completes once the steps
    /// are answered. Close the channel with `AMQPCloseHandler.close`.
    static func connect(
        loop: EventLoop, address: SocketAddress, settings: AMQPSettings, steps: [Step], timeoutNanos: Int64,
        makeNext: @escaping @Sendable () -> (any ChannelHandler)?
    ) -> EventLoopFuture<(Channel, Transcript)> {
        let handshake = loop.makePromise(of: Transcript.self)
        let connected = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(timeoutNanos))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AMQPHandshakeHandler(settings: settings, steps: steps, timeoutNanos: timeoutNanos, promise: handshake))
                    try channel.pipeline.syncOperations.addHandler(AMQPCloseHandler())
                    if let next = makeNext() { try channel.pipeline.syncOperations.addHandler(next) }
                }
            }
            .connect(to: address)
        connected.whenFailure { handshake.fail($0) }
        return connected.flatMap { channel in
            handshake.futureResult.map { (channel, $0) }.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
        }
    }
}
