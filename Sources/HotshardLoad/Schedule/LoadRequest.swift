import HotshardProtocols

/// One request the generator made: what to do, to which keys, with how large a value.
public struct LoadRequest: Sendable {
    public var kind: OperationSpec.Kind
    public var keys: [[UInt8]]
    public var valueSize: Int

    public init(kind: OperationSpec.Kind, keys: [[UInt8]], valueSize: Int) {
        self.kind = kind
        self.keys = keys
        self.valueSize = valueSize
    }
}
