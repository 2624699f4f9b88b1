/// Why a capture could not be opened or read. Every case names the file or interface.
public enum CaptureError: Error, CustomStringConvertible, Equatable {
    /// libpcap refused the file; `reason` is libpcap's own message.
    case cannotOpenFile(path: String, reason: String)
    /// A gzip-compressed capture whose compressed data is damaged.
    case damagedCompression(path: String, reason: String)
    /// libpcap stopped reading a file part-way (truncated record, bad header).
    case readFailed(path: String, packet: Int, reason: String)
    case noSuchInterface(String)
    case permissionDenied(interface: String, reason: String)
    case cannotCapture(interface: String, reason: String)
    case badFilter(filter: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpenFile(let path, let reason): "\(path): cannot read capture: \(reason)"
        case .damagedCompression(let path, let reason): "\(path): damaged gzip data: \(reason)"
        case .readFailed(let path, let packet, let reason): "\(path): reading stopped after packet \(packet): \(reason)"
        case .noSuchInterface(let name): "\(name): no such interface"
        case .permissionDenied(let name, let reason):
            "\(name): no permission to capture (run as root or grant CAP_NET_RAW): \(reason)"
        case .cannotCapture(let name, let reason): "\(name): cannot capture: \(reason)"
        case .badFilter(let filter, let reason): "filter \"\(filter)\": \(reason)"
        }
    }
}
