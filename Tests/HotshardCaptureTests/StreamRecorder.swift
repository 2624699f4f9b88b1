import HotshardBytes
import HotshardCapture

/// A sink that keeps every stream's bytes per direction, for comparison with tshark.
final class StreamRecorder: StreamSink, @unchecked Sendable {
    struct Stream {
        var clientToServer: [UInt8] = []
        var serverToClient: [UInt8] = []
        var gapBytes = 0
        var closeReason: StreamCloseReason?
    }

    var streams: [FlowID: Stream] = [:]
    var order: [FlowID] = []
    var datagrams = 0
    var lastTimestamp: Int64 = .min
    var timestampsInOrder = true

    func streamData(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView) {
        if streams[flow] == nil { order.append(flow) }
        if direction == .clientToServer {
            streams[flow, default: Stream()].clientToServer.append(contentsOf: bytes)
        } else {
            streams[flow, default: Stream()].serverToClient.append(contentsOf: bytes)
        }
    }

    func streamGap(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, length: Int) {
        if streams[flow] == nil { order.append(flow) }
        streams[flow, default: Stream()].gapBytes += length
    }

    func streamClosed(_ flow: FlowID, timestampNanos: Int64, reason: StreamCloseReason) {
        if streams[flow] != nil { streams[flow]?.closeReason = reason }
    }

    func datagram(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView) {
        datagrams += 1
    }
}
