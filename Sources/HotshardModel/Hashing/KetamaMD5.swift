import Crypto

/// The MD5 digests ketama uses: a key's hash is the digest's first four bytes little-endian
/// (libhashkit `hashkit_md5`, twemproxy `hash_md5`), and each server point name gives four points,
/// point `a` being bytes `4a…4a+3` little-endian (`ketama_server_hash`).
public enum KetamaMD5 {
    /// The 16-byte MD5 digest of `bytes` (for a point name "NAME-i").
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        Array(Insecure.MD5.hash(data: bytes))
    }

    /// Ring point `alignment` (0-3) of a digest: bytes `4a…4a+3`, little-endian.
    public static func point(_ digest: [UInt8], _ alignment: Int) -> UInt32 {
        let i = alignment * 4
        return UInt32(digest[i + 3]) << 24 | UInt32(digest[i + 2]) << 16 | UInt32(digest[i + 1]) << 8 | UInt32(digest[i])
    }

    /// A key's ketama hash: the first four bytes of its MD5, little-endian.
    public static func keyHash(_ bytes: [UInt8]) -> UInt32 {
        var result: UInt32 = 0
        Insecure.MD5.hash(data: bytes).withUnsafeBytes { d in
            result = UInt32(d[3]) << 24 | UInt32(d[2]) << 16 | UInt32(d[1]) << 8 | UInt32(d[0])
        }
        return result
    }
}
