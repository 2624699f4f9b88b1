/// wyhash's multiply-fold: the two halves of the 128-bit product of `a` and `b`, xored. One
/// multiplication mixes every bit of both words into every bit of the result, which makes it the
/// step of the project's table hashes (keys, flow keys).
@inlinable @inline(__always)
public func multiplyFold(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let product = a.multipliedFullWidth(by: b)
    return product.high ^ product.low
}
