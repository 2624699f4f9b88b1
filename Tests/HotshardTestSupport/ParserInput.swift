import HotshardCapture

/// One direction's bytes for `ParserHarness`: how to cut them and when they arrive.
public struct ParserInput: Sendable {
    public var direction: FlowDirection
    public var bytes: [UInt8]
    /// Feed in pieces of this many bytes (nil: whole), so that framing never relies on segment edges.
    public var piece: Int?
    /// Every piece's timestamp; nil: a clock that advances 10 ns before each piece.
    public var timestampNanos: Int64?

    public init(_ direction: FlowDirection, _ bytes: [UInt8], piece: Int? = nil, at timestampNanos: Int64? = nil) {
        self.direction = direction
        self.bytes = bytes
        self.piece = piece
        self.timestampNanos = timestampNanos
    }

    public init(_ direction: FlowDirection, _ text: String, piece: Int? = nil, at timestampNanos: Int64? = nil) {
        self.init(direction, Array(text.utf8), piece: piece, at: timestampNanos)
    }
}
