import HotshardCapture
import NIOCore

/// One of a worker's connections: its channel and outgoing bytes (the NIO side) beside the state
/// machines that decide what happens on it — its life (`lifecycle`), its requests in flight
/// (`window`) and its reply decoder. A class because the worker and its handler reach it by index
/// on every read, and its window is moved out and back while a piece of replies is decoded.
final class LoadConnection {
    /// This worker's index of the connection (the run-wide one is offset by the worker's range).
    let index: Int
    /// The pool node this connection goes to (0 for one server).
    let node: Int
    var lifecycle = ConnectionLifecycle()
    var window: PipelineWindow
    var channel: Channel?
    var decoder: ReplyDecoder
    /// Bytes written since the last flush; nil while the connection is down.
    var outgoing: ByteBuffer?
    var flow: FlowID
    /// Redis Cluster: reply bytes read but not yet consumed by a decoded reply, so that a
    /// `MOVED`/`ASK` reply's text (slot and address) can be read; empty elsewhere.
    var replyCarry: [UInt8] = []

    /// `sequenced`: AMQP with publisher confirms, whose confirms are paired by sequence number (`PipelineWindow`).
    init(index: Int, node: Int, depth: Int, sequenced: Bool = false, decoder: ReplyDecoder, flow: FlowID) {
        self.index = index
        self.node = node
        self.window = PipelineWindow(depth: depth, sequenced: sequenced)
        self.decoder = decoder
        self.flow = flow
    }
}
