import CPcap

/// zlib's deflate format (RFC 1950): the result's summary state and HdrHistogram's compressed form.
public enum Deflate {
    /// zlib refused to compress (its error code), or the input does not inflate to what it claims.
    public enum Failure: Error, CustomStringConvertible {
        case compress(code: Int32)
        case damaged(String)

        /// The failure in words, as error messages show it.
        public var description: String {
            switch self {
            case .compress(let code): "zlib could not compress (error \(code))"
            case .damaged(let why): "compressed data is damaged: \(why)"
            }
        }
    }

    /// `level` 1 by default: a result is written at the end of every run, and the speed matters
    /// more there than the last tenth of the size.
    public static func compress(_ bytes: [UInt8], level: Int32 = 1) throws -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let code = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), level)
            }
        }
        guard code == Z_OK else { throw Failure.compress(code: code) }
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// Inflates `bytes`: to exactly `expectedSize` bytes when that is given, and never to more
    /// than `limit`. Memory grows with what actually inflates, never with a size the (untrusted)
    /// input claims.
    public static func decompress(_ bytes: [UInt8], expectedSize: Int? = nil, limit: Int = .max) throws -> [UInt8] {
        let limit = min(limit, expectedSize ?? .max)
        guard limit >= 0 else { throw Failure.damaged("negative size") }
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure.damaged("zlib would not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, 64 << 20, max(256, bytes.count * 4)))
        var chunk = [UInt8](repeating: 0, count: min(1 << 20, max(4_096, bytes.count * 4)))
        var input = bytes
        return try input.withUnsafeMutableBufferPointer { input in
            stream.next_in = input.baseAddress
            stream.avail_in = uInt(input.count)
            while true {
                let (code, produced) = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let code = inflate(&stream, Z_NO_FLUSH)
                    return (code, out.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= limit else {
                    throw Failure.damaged(
                        expectedSize.map { "inflates past its stated \($0) bytes" } ?? "inflates to more than \(limit) bytes")
                }
                if code == Z_STREAM_END { break }
                guard code == Z_OK else { throw Failure.damaged("zlib error \(code)") }
                if produced == 0 && stream.avail_in == 0 { throw Failure.damaged("ends early") }
            }
            if let expectedSize, output.count != expectedSize {
                throw Failure.damaged("inflates to \(output.count) bytes, not the stated \(expectedSize)")
            }
            return output
        }
    }
}
