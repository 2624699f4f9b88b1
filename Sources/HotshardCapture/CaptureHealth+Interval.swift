extension CaptureHealth {
    /// What was counted after `earlier`, a reading of the same session's counters: the capture
    /// health of one interval of a rotating capture agent, so that the intervals' results add up
    /// to the whole run's. Counters that went backwards (none do) count as zero.
    public func since(_ earlier: CaptureHealth) -> CaptureHealth {
        func delta(_ now: Int, _ before: Int) -> Int { max(0, now - before) }
        func delta(_ now: [String: Int], _ before: [String: Int]) -> [String: Int] {
            now.reduce(into: [:]) { out, entry in
                let value = delta(entry.value, before[entry.key] ?? 0)
                if value > 0 { out[entry.key] = value }
            }
        }
        var interval = CaptureHealth()
        interval.packets = delta(packets, earlier.packets)
        interval.bytes = delta(bytes, earlier.bytes)
        interval.byLinkType = delta(byLinkType, earlier.byLinkType)
        interval.nonIP = delta(nonIP, earlier.nonIP)
        interval.nonTCPUDP = delta(nonTCPUDP, earlier.nonTCPUDP)
        interval.tcpSegments = delta(tcpSegments, earlier.tcpSegments)
        interval.udpDatagrams = delta(udpDatagrams, earlier.udpDatagrams)
        interval.flows = delta(flows, earlier.flows)
        interval.outOfOrder = delta(outOfOrder, earlier.outOfOrder)
        interval.retransmitted = delta(retransmitted, earlier.retransmitted)
        interval.gaps = delta(gaps, earlier.gaps)
        interval.gapBytes = delta(gapBytes, earlier.gapBytes)
        interval.truncated = delta(truncated, earlier.truncated)
        interval.malformed = delta(malformed, earlier.malformed)
        interval.fragments = delta(fragments, earlier.fragments)
        interval.unsupportedLinkType = delta(unsupportedLinkType, earlier.unsupportedLinkType)
        interval.kernelDrops = kernelDrops.map { delta($0, earlier.kernelDrops ?? 0) }
        interval.interfaceDrops = interfaceDrops.map { delta($0, earlier.interfaceDrops ?? 0) }
        interval.capsHit = delta(capsHit, earlier.capsHit)
        return interval
    }
}
