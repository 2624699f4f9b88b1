extension Array where Element == UInt8 {
    /// Appends the view's bytes in one copy: the encoders append keys this way. Without it the
    /// generic `append(contentsOf:)` may read the view byte by byte, a bounds check per byte.
    @inlinable
    @inline(__always)
    public mutating func append(contentsOf view: ByteView) {
        view.withUnsafeBytes { append(contentsOf: $0) }
    }
}
