import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// A gzip-compressed file exposed as a `FILE *` (glibc `fopencookie`) so that libpcap reads it
/// as it streams through zlib: no temporary file, memory independent of the capture's size.
enum GzipStream {
    /// True when the file starts with the gzip magic bytes.
    static func isGzip(path: String) -> Bool {
        guard let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        var magic: (UInt8, UInt8) = (0, 0)
        let read = withUnsafeMutableBytes(of: &magic) { fread($0.baseAddress, 1, 2, file) }
        return read == 2 && magic.0 == 0x1f && magic.1 == 0x8b
    }

    /// Opens `path` for reading through zlib; the returned stream closes the gzip file when closed.
    static func open(path: String) -> (file: UnsafeMutablePointer<FILE>, gzip: gzFile)? {
        guard let gzip = gzopen(path, "rb") else { return nil }
        gzbuffer(gzip, 1 << 17)
        guard let file = hotshard_gzip_fopen(gzip) else {
            gzclose(gzip)
            return nil
        }
        return (file, gzip)
    }
}
