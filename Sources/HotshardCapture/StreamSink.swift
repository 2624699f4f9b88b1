import HotshardBytes

/// Receives what the capture layer makes of packets: reassembled, in-order TCP bytes per
/// direction, explicit gaps where bytes are missing, flow ends, and UDP datagrams.
///
/// `bytes` is only valid for the duration of the call: a consumer that keeps bytes copies them.
/// Timestamps are nanoseconds since the Unix epoch, taken from the packet that carried the bytes.
///
/// A TCP flow comes with its `slot`, its place in the reassembler's flow table: from the flow's
/// first event to its `streamClosed` no other open flow has it, and only after that close may a
/// later flow be given it again; slots are small (below the number of flows open at once), so a
/// sink keeps its per-flow state in an array indexed by slot and finds it without hashing the
/// `FlowID` a second time per segment (the reassembler already looked the flow up).
public protocol StreamSink: AnyObject {
    /// In-order bytes of one direction of a TCP flow.
    func streamData(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView)
    /// `length` bytes of one direction are missing (lost, never captured, or cut by snaplen);
    /// the next `streamData` of that direction continues after them.
    func streamGap(_ flow: FlowID, slot: Int, _ direction: FlowDirection, timestampNanos: Int64, length: Int)
    /// The flow ended (FIN both ways, RST, idle timeout, flow-table eviction or end of input);
    /// its `slot` is free from now on.
    func streamClosed(_ flow: FlowID, slot: Int, timestampNanos: Int64, reason: StreamCloseReason)
    /// One UDP datagram's payload.
    func datagram(_ flow: FlowID, _ direction: FlowDirection, timestampNanos: Int64, bytes: ByteView)
}

/// Why a flow's stream ended.
public enum StreamCloseReason: String, Sendable, Codable {
    case fin, reset, idleTimeout, evicted, endOfInput
}
