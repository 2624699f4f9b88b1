/// The capture layer's honest account of what it saw and what it could not use.
/// Field names are the result document's `capture` section (../shared/design.md).
public struct CaptureHealth: Codable, Sendable, Equatable {
    public var packets: Int = 0
    public var bytes: Int = 0
    /// Packets per link type name (`EN10MB`, `LINUX_SLL2`, …).
    public var byLinkType: [String: Int] = [:]
    public var nonIP: Int = 0
    public var nonTCPUDP: Int = 0
    public var tcpSegments: Int = 0
    public var udpDatagrams: Int = 0
    public var flows: Int = 0
    public var outOfOrder: Int = 0
    public var retransmitted: Int = 0
    public var gaps: Int = 0
    public var gapBytes: Int = 0
    public var truncated: Int = 0
    public var malformed: Int = 0
    public var fragments: Int = 0
    public var unsupportedLinkType: Int = 0
    /// Kernel drops from `pcap_stats`; nil for files.
    public var kernelDrops: Int? = nil
    /// Packets dropped by the interface (`ps_ifdrop`); nil for files.
    public var interfaceDrops: Int? = nil
    /// How often each cap was hit, by cap name (`flows`, `bufferedBytes`, `flowBufferedBytes`).
    public var capsHit: [String: Int] = [:]
    /// A capture agent (`analyze --rotate`): intervals it measured and had to drop unwritten
    /// since its last written result (the output could not be written for longer than it keeps
    /// intervals); nil elsewhere. Their traffic is missing from every result.
    public var droppedIntervals: Int? = nil

    public init() {}
}
