import HotshardBytes
import HotshardCapture

/// A sink that keeps every stream's bytes per direction, for comparison with tshark.
final class StreamRecorder: StreamSink, @unchecked Sendable {
    struct Stream {
        var clientToServer: [UInt8] = []
        var serverToClient: [UInt8] = []
        var gapBytes = 0
        var closeReason: StreamCloseReason?
        /// The slot of the stream's last event.
        var slot: Int?
    }

    var streams: [FlowID: Stream] = [:]
    var order: [FlowID] = []
    var datagrams = 0
    var lastTimestamp: Int64 = .min
    var timestampsInOrder = true
    /// The open flow holding each slot, from its first event to its close.
    var slotOwners: [Int: FlowID] = [:]
    /// False once two open flows shared a slot or a flow's slot changed while it was open
    /// (`StreamSink`'s promise).
    var slotsConsistent = true

    private func hold(_ slot: Int, for flow: FlowID) {
        if let owner = slotOwners[slot], owner != flow { slotsConsistent = false }
        if let held = streams[flow]?.slot, held != slot, slotOwners[held] == flow { slotsConsistent = false }
        slotOwners[slot] = flow
        streams[flow, default: Stream()].slot = slot
    }

    func streamData(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView) {
        if streams[flow] == nil { order.append(flow) }
        hold(slot, for: flow)
        if direction == .clientToServer {
            streams[flow, default: Stream()].clientToServer.append(contentsOf: bytes)
        } else {
            streams[flow, default: Stream()].serverToClient.append(contentsOf: bytes)
        }
    }

    func streamGap(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, length: Int) {
        if streams[flow] == nil { order.append(flow) }
        hold(slot, for: flow)
        streams[flow, default: Stream()].gapBytes += length
    }

    func streamClosed(_ flow: FlowID, slot: Int, timestampNanos: Int64, reason: StreamCloseReason) {
        if streams[flow] != nil { streams[flow]?.closeReason = reason }
        if let owner = slotOwners[slot], owner != flow { slotsConsistent = false }
        slotOwners[slot] = nil
    }

    func datagram(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView) {
        datagrams += 1
    }
}
