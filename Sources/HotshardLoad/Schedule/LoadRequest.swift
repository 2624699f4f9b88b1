import HotshardProtocols

/// One request the generator made: what to do, to which keys, with how large a value.
public struct LoadRequest: Sendable {
    public var kind: OperationSpec.Kind
    /// The keys in request order (a single key is held inline: no allocation).
    public var keys: KeyList
    public var valueSize: Int

    public init(kind: OperationSpec.Kind, keys: KeyList, valueSize: Int) {
        self.kind = kind
        self.keys = keys
        self.valueSize = valueSize
    }
}
