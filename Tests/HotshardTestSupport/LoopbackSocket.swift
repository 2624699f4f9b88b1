import Foundation

/// A blocking TCP connection to 127.0.0.1 for tests that speak a protocol by hand: write bytes
/// exactly as given, read until the caller has what it expects.
public final class LoopbackSocket {
    private let fd: Int32
    /// Bytes read and not yet taken by the caller.
    public var buffer: [UInt8] = []

    public init(port: UInt16, receiveTimeoutSeconds: Int = 10) throws {
        guard let fd = Self.connectedDescriptor(port: port) else {
            throw RealServerError.notAccepting("127.0.0.1", port)
        }
        self.fd = fd
        // A server that never answers fails the test instead of hanging it.
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// A socket of `type` (SOCK_STREAM, SOCK_DGRAM) bound to an ephemeral port of 127.0.0.1, with
    /// that address. The caller closes it.
    public static func boundDescriptor(_ type: Int32) throws -> (fd: Int32, address: sockaddr_in) {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw RealServerError.noFreePort }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw RealServerError.noFreePort
        }
        return (fd, address)
    }

    /// A blocking TCP socket connected to 127.0.0.1:`port`, nil when nothing accepts there. The
    /// caller closes it.
    public static func connectedDescriptor(port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            return nil
        }
        return fd
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { write(fd, $0 + offset, bytes.count - offset) } ?? 0
            }
            guard written > 0 else { throw RealServerError.notAccepting("write", 0) }
            offset += written
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads once more into `buffer`; throws when the peer closed or the read timed out.
    public func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw RealServerError.notAccepting("read", 0) }
        buffer += chunk[..<n]
    }

    /// Reads until `buffer` ends with `suffix` (a reply's known last bytes), then takes all of it.
    public func receive(endingWith suffix: String) throws -> [UInt8] {
        let tail = Array(suffix.utf8)
        while !(buffer.count >= tail.count && Array(buffer.suffix(tail.count)) == tail) { try fill() }
        defer { buffer.removeAll() }
        return buffer
    }

    /// Reads until at least `count` bytes are buffered, then takes exactly `count`.
    public func receive(count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let taken = Array(buffer[..<count])
        buffer.removeFirst(count)
        return taken
    }
}
