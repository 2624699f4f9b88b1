import NIOCore

/// Gathers the reply to `CLUSTER SHARDS` until it is whole, then fulfils the promise with its lines.
final class SlotMapReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<[String]>
    private var bytes: [UInt8] = []

    init(promise: EventLoopPromise<[String]>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
        guard bytes.count <= RedisClusterSlotMap.maxReplyBytes else {
            promise.fail(RedisClusterSlotMap.RESPShape.bad("reply over 16 MiB"))
            return
        }
        var index = 0
        var lines: [String] = []
        do {
            if try RedisClusterSlotMap.flatten(bytes, at: &index, into: &lines) { promise.succeed(lines) }
        } catch {
            promise.fail(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(RedisClusterSlotMap.RESPShape.bad("connection closed before the reply was whole"))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
