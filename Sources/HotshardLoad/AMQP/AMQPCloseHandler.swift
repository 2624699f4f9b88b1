import HotshardBytes
import HotshardProtocols
import NIOCore

/// Closes an AMQP 0-9-1 connection as a client library does (pika, the Java client): on a `Request`
/// (an outbound user event; `close(_:timeoutNanos:)` sends one) it writes connection.close (200,
/// "Normal shutdown") after whatever was written before it, and closes the socket once the broker's
/// connection.close-ok comes. The broker answers only after its channels processed every frame sent
/// before the close; a socket closed without it loses what they had not yet processed (RabbitMQ
/// shuts the channels down with it): unconfirmed publishes that never reach their queue, acks that
/// never settle their delivery. A broker that does not answer within the timeout (at most
/// `longestWaitNanos`) or that closes first does not hold the caller up: the outcome says which.
///
/// Sits right after `AMQPHandshakeHandler`, so the bytes it reads start at a frame boundary. Until
/// the close it passes every byte on unchanged and follows the frames only to keep its place in
/// them, and to answer a broker's connection.close with close-ok (the broker then closes the socket
/// without waiting out its own timeout; the handler after this one sees the channel go inactive, as
/// before). After the close it passes nothing on: the specification has a peer that sent
/// connection.close discard every method but close and close-ok, and the connection's owner has
/// already counted what it will count.
final class AMQPCloseHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How a close ended.
    enum Outcome: Equatable, Sendable {
        /// The broker answered with connection.close-ok: it processed everything sent before.
        case answered
        /// No close-ok within the timeout: the socket was closed anyway.
        case timedOut
        /// The socket closed, or the broker sent its own connection.close, before any close-ok.
        case closedFirst
    }

    /// Asks the handler to close the connection; `outcome` completes once the socket is closed.
    struct Request: Sendable {
        var timeout: TimeAmount
        var outcome: EventLoopPromise<Outcome>
    }

    /// The longest wait for a close-ok: a broker that never answers holds a run's end this long.
    static let longestWaitNanos: Int64 = 5_000_000_000

    private enum State {
        case open
        case closing(EventLoopPromise<Outcome>, Scheduled<Void>)
        case closed
    }

    private var state = State.open
    private var reader = AMQPFrameReader(client: false)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var closeOK = false
        var brokerClose = false
        Self.unwrapInboundIn(data).withUnsafeReadableBytes { bytes in
            reader.consume(ByteView(bytes), timestampNanos: 0) { frame, payload in
                guard frame.type == .method, frame.channel == 0 else { return }
                var arguments = AMQPArgumentReader(payload)
                guard arguments.short() == 10 else { return }
                switch arguments.short() {
                case 50: brokerClose = true
                case 51: closeOK = true
                default: break
                }
            }
        }
        switch state {
        case .open:
            context.fireChannelRead(data)
            guard brokerClose else { return }
            state = .closed
            context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: AMQPFrameWriter.connectionCloseOK)), promise: nil)
            context.close(promise: nil)
        case .closing:
            if closeOK {
                finish(.answered, context: context)
            } else if brokerClose {
                // Both ends closed at once: the broker's close still wants its close-ok.
                context.write(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: AMQPFrameWriter.connectionCloseOK)), promise: nil)
                finish(.closedFirst, context: context)
            }
        case .closed:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .closing(let outcome, let timer) = state {
            timer.cancel()
            outcome.succeed(.closedFirst)
        }
        state = .closed
        context.fireChannelInactive()
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let request = event as? Request else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed(())
        switch state {
        case .open:
            break
        case .closing(let first, _):
            first.futureResult.cascade(to: request.outcome)
            return
        case .closed:
            request.outcome.succeed(.closedFirst)
            return
        }
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout) {
            self.finish(.timedOut, context: context)
        }
        state = .closing(request.outcome, timer)
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: AMQPFrameWriter.connectionClose())), promise: nil)
    }

    /// Closes the socket, then completes the request with `outcome`.
    private func finish(_ outcome: Outcome, context: ChannelHandlerContext) {
        guard case .closing(let promise, let timer) = state else { return }
        state = .closed
        timer.cancel()
        let closed = context.eventLoop.makePromise(of: Void.self)
        closed.futureResult.whenComplete { _ in promise.succeed(outcome) }
        context.close(promise: closed)
    }
}

extension AMQPCloseHandler {
    /// Closes `channel` with the close handshake, waiting at most `timeoutNanos` (capped at
    /// `longestWaitNanos`) for the broker's close-ok. The future never fails; a channel without
    /// this handler, or one already closed, is closed as it is (`closedFirst`).
    static func close(_ channel: Channel, timeoutNanos: Int64) -> EventLoopFuture<Outcome> {
        let outcome = channel.eventLoop.makePromise(of: Outcome.self)
        let taken = channel.eventLoop.makePromise(of: Void.self)
        taken.futureResult.whenFailure { _ in
            channel.close(promise: nil)
            outcome.succeed(.closedFirst)
        }
        let nanos = max(0, min(timeoutNanos, longestWaitNanos))
        channel.triggerUserOutboundEvent(Request(timeout: .nanoseconds(nanos), outcome: outcome), promise: taken)
        return outcome.futureResult
    }

    /// Closes each of `channels` as `close(_:timeoutNanos:)` does; the future gives how many the
    /// broker did not answer.
    static func close(_ channels: [Channel], timeoutNanos: Int64, on loop: EventLoop) -> EventLoopFuture<Int> {
        EventLoopFuture.whenAllSucceed(channels.map { close($0, timeoutNanos: timeoutNanos) }, on: loop)
            .map { outcomes in outcomes.count { $0 != .answered } }
    }
}
