import NIOCore

/// Hands a connection's bytes and its closing to the worker that owns it.
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let worker: LoadWorker
    /// The worker's index of the connection.
    let slot: Int

    init(worker: LoadWorker, slot: Int) {
        self.worker = worker
        self.slot = slot
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        worker.received(slot, Self.unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        worker.closed(slot)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
