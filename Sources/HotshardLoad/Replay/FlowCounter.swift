import HotshardBytes
import HotshardCapture
import HotshardProtocols

/// A quick first pass for `replay`'s default connection count: the flows the decoder would parse
/// (by port, else by content), without parsing them. Reassembly only; memory is the flow table.
final class FlowCounter: StreamSink {
    private let configuration: DecoderConfiguration
    private var decided: [FlowID: Bool] = [:]
    private(set) var count = 0

    init(configuration: DecoderConfiguration) {
        self.configuration = configuration
    }

    func streamData(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView) {
        guard direction == .clientToServer, decided[flow] != true else { return }
        let parsed =
            configuration.ports[flow.server.port] != nil || configuration.ports[flow.client.port] != nil
            || (configuration.detectByContent && ProtocolDetector.detect(bytes) != nil)
        decided[flow] = parsed
        if parsed { count += 1 }
    }

    func streamGap(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, length: Int) {}

    func streamClosed(_ flow: FlowID, slot: Int, timestampNanos: Int64, reason: StreamCloseReason) {
        decided.removeValue(forKey: flow)
    }

    func datagram(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView) {
        guard direction == .clientToServer, decided[flow] == nil else { return }
        let parsed = configuration.ports[flow.server.port] == .memcached
        decided[flow] = parsed
        if parsed { count += 1 }
    }
}
