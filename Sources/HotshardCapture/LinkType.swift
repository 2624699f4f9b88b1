import CPcap

/// The link layers the decoder understands, by libpcap's DLT value.
enum LinkType: Sendable, Equatable {
    case ethernet
    case linuxSLL
    case linuxSLL2
    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    case null
    /// OpenBSD loopback: the family in network byte order.
    case loop
    /// Raw IP, version from the first nibble.
    case raw
    case ipv4
    case ipv6
    case unsupported(Int32)

    init(dlt: Int32) {
        switch dlt {
        case DLT_EN10MB: self = .ethernet
        case DLT_LINUX_SLL: self = .linuxSLL
        case DLT_LINUX_SLL2: self = .linuxSLL2
        case DLT_NULL: self = .null
        case DLT_LOOP: self = .loop
        case DLT_RAW, 101: self = .raw
        case DLT_IPV4: self = .ipv4
        case DLT_IPV6: self = .ipv6
        default: self = .unsupported(dlt)
        }
    }

    /// The name counted in `CaptureHealth.byLinkType` (libpcap's `pcap_datalink_val_to_name`).
    static func name(dlt: Int32) -> String {
        if let cName = pcap_datalink_val_to_name(dlt) {
            return String(cString: cName)
        }
        return "DLT_\(dlt)"
    }
}
