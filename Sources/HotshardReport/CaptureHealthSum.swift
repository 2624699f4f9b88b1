import HotshardCapture

/// Adds the capture health of several results (merge): every counter sums.
public struct CaptureHealthSum {
    /// The sum so far.
    public private(set) var total = CaptureHealth()

    /// An empty sum.
    public init() {}

    /// Adds every counter of `health`; kernel drops add where known.
    public mutating func add(_ health: CaptureHealth) {
        total.packets += health.packets
        total.bytes += health.bytes
        total.byLinkType.merge(health.byLinkType, uniquingKeysWith: +)
        total.nonIP += health.nonIP
        total.nonTCPUDP += health.nonTCPUDP
        total.tcpSegments += health.tcpSegments
        total.udpDatagrams += health.udpDatagrams
        total.flows += health.flows
        total.outOfOrder += health.outOfOrder
        total.retransmitted += health.retransmitted
        total.gaps += health.gaps
        total.gapBytes += health.gapBytes
        total.truncated += health.truncated
        total.malformed += health.malformed
        total.fragments += health.fragments
        total.unsupportedLinkType += health.unsupportedLinkType
        if let drops = health.kernelDrops { total.kernelDrops = (total.kernelDrops ?? 0) + drops }
        if let drops = health.interfaceDrops { total.interfaceDrops = (total.interfaceDrops ?? 0) + drops }
        total.capsHit.merge(health.capsHit, uniquingKeysWith: +)
        if let dropped = health.droppedIntervals { total.droppedIntervals = (total.droppedIntervals ?? 0) + dropped }
    }
}
