/// How a capture is read and how much state reassembly may hold. Every cap is counted in
/// `CaptureHealth.capsHit` when it is hit, never silently.
public struct CaptureOptions: Sendable {
    /// Bytes kept per packet on a live capture (files keep what was captured).
    public var snaplen: Int32 = 262_144
    /// Kernel buffer for a live capture.
    public var bufferSizeBytes: Int32 = 32 << 20
    /// Deliver each packet as it arrives (live only). Off by default: libpcap then reads the
    /// kernel's block ring (TPACKET_V3), where packets are packed by their real size, instead of a
    /// frame per packet sized for the link's largest (64 KB on `lo`: a 32 MB ring held about 500
    /// packets and a pipelining client overran it). Blocks reach the reader at least every
    /// `PcapSource.blockTimeoutMilliseconds`, which no consumer here needs sooner.
    public var immediate: Bool = false
    /// A BPF filter applied to files and live captures alike.
    public var filter: String?
    /// Stop a live capture after this long.
    public var durationSeconds: Double?
    /// Stop after this many packets.
    public var packetLimit: Int?
    /// Flows tracked at once; a new flow beyond it is not reassembled (cap `flows`).
    public var maxFlows: Int = 1_000_000
    /// Out-of-order bytes buffered per direction before the hole is declared a gap (cap `flowBufferedBytes`).
    public var maxBufferedBytesPerFlow: Int = 1 << 20
    /// Out-of-order bytes buffered over all flows (cap `bufferedBytes`).
    public var maxBufferedBytesTotal: Int = 256 << 20
    /// A flow with no packet for this long (capture time) is closed.
    public var idleTimeoutSeconds: Double = 300

    public init() {}
}
