import NIOCore

/// Hands a consumer connection's bytes to its group.
final class AMQPConsumerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let group: AMQPConsumerGroup
    let slot: Int

    init(group: AMQPConsumerGroup, slot: Int) {
        self.group = group
        self.slot = slot
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        group.received(slot, Self.unwrapInboundIn(data))
    }
}
