import HotshardBytes

/// The first word of a memcached text request, recognised from its bytes: a String made,
/// lower-cased and upper-cased per request cost more than the rest of the request's parsing.
enum MemcachedTextVerb: CaseIterable {
    case get, gets, gat, gats
    case set, add, replace, append, prepend, cas
    case delete, incr, decr, touch
    case mg, ms, md, ma, me, mn
    case stats, quit

    /// The command as a message names it.
    var name: String {
        switch self {
        case .get: "GET"
        case .gets: "GETS"
        case .gat: "GAT"
        case .gats: "GATS"
        case .set: "SET"
        case .add: "ADD"
        case .replace: "REPLACE"
        case .append: "APPEND"
        case .prepend: "PREPEND"
        case .cas: "CAS"
        case .delete: "DELETE"
        case .incr: "INCR"
        case .decr: "DECR"
        case .touch: "TOUCH"
        case .mg: "MG"
        case .ms: "MS"
        case .md: "MD"
        case .ma: "MA"
        case .me: "ME"
        case .mn: "MN"
        case .stats: "STATS"
        case .quit: "QUIT"
        }
    }

    /// The verb's letters, lower case, packed as `folded` packs a word.
    private var packed: UInt64 {
        name.lowercased().withByteView { Self.folded($0) ?? 0 }
    }

    /// Most frequent first: a lookup compares against each in turn.
    private static let table: [(packed: UInt64, verb: MemcachedTextVerb)] = allCases.map { ($0.packed, $0) }

    /// The verb `word` names, in any letter case (as the parser always accepted); nil for others.
    static func recognise(_ word: ByteView) -> MemcachedTextVerb? {
        guard let packed = folded(word) else { return nil }
        for entry in table where entry.packed == packed { return entry.verb }
        return nil
    }

    /// Up to eight bytes, ASCII letters lower-cased, one per byte from the lowest; nil when longer.
    private static func folded(_ word: ByteView) -> UInt64? {
        guard word.count <= 8 else { return nil }
        var packed: UInt64 = 0
        for (index, byte) in word.enumerated() {
            let lower = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
            packed |= UInt64(lower) << (UInt64(index) * 8)
        }
        return packed
    }
}
