/// The tokens of a real Cassandra/Scylla cluster as `nodetool ring` prints them: one line per
/// token, the node's address first and the token last ("127.0.0.1  rack1  Up  Normal  1.2 MiB
/// 33.3%  -9200135478397372386"). Lines that do not end in a token (headers, the lone first-token
/// line, the closing warning, blank lines) are skipped, except a line that starts with an IP
/// address: that one must end in a signed 64-bit token, or the error names the line. A plain
/// "ADDRESS TOKEN" list reads the same way.
public struct CassandraTokenList: Sendable, Equatable {
    /// Node addresses in order of first appearance.
    public let nodes: [String]
    /// (node index, token) per token line, in file order.
    public let tokens: [(node: Int, token: Int64)]

    /// Equal when the nodes and every (node, token) pair match, in order.
    public static func == (lhs: CassandraTokenList, rhs: CassandraTokenList) -> Bool {
        lhs.nodes == rhs.nodes && lhs.tokens.elementsEqual(rhs.tokens) { $0.node == $1.node && $0.token == $1.token }
    }

    /// Parses `nodetool ring` output (or "ADDRESS TOKEN" lines); throws `PlacementError.badParameter`
    /// for a line that starts with an address but does not end in a signed 64-bit token, or when no
    /// line has a token.
    public init(parsing text: String) throws {
        var nodes: [String] = []
        var index: [String: Int] = [:]
        var tokens: [(node: Int, token: Int64)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard fields.count >= 2, let first = fields.first, let last = fields.last else { continue }
            guard let token = Int64(last) else {
                if EnvoyHostKey.isIPAddress(String(first)) {
                    throw PlacementError.badParameter("token list line \(number + 1): the last field '\(last)' is not a signed 64-bit token")
                }
                continue
            }
            let address = String(first)
            let node: Int
            if let known = index[address] {
                node = known
            } else {
                node = nodes.count
                index[address] = node
                nodes.append(address)
            }
            tokens.append((node, token))
        }
        guard !tokens.isEmpty else { throw PlacementError.badParameter("token list: no 'ADDRESS … TOKEN' lines") }
        self.nodes = nodes
        self.tokens = tokens
    }
}
