import HotshardBytes
import HotshardProtocols

extension Key {
    /// The key's bytes as a hash function's input, without copying them: every scheme's
    /// `keyHash` reads the key through this one place.
    @inline(__always)
    func hashInput<Result>(_ body: (ByteView) -> Result) -> Result {
        withByteView(body)
    }
}
