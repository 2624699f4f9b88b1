/// Why a scheme could not be built or an input could not be read.
public enum PlacementError: Error, Equatable, CustomStringConvertible {
    case unknownScheme(String)
    case noNodes
    case badServer(String, String)
    case badParameter(String)
    case badClusterDump(line: Int, String)

    /// The message printed to the user (an unknown scheme lists the known ones).
    public var description: String {
        switch self {
        case .unknownScheme(let s):
            "unknown scheme '\(s)'; known: \(SchemeFactory.names.joined(separator: ", "))"
        case .noNodes: "a scheme needs at least one node"
        case .badServer(let text, let why): "bad server '\(text)': \(why)"
        case .badParameter(let why): why
        case .badClusterDump(let line, let why): "cluster dump line \(line): \(why)"
        }
    }
}
