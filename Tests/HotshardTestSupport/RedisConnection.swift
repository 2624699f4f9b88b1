import Foundation

/// A minimal blocking RESP2 client for tests: sends commands as arrays of bulk strings
/// (binary-safe) and reads the replies the server itself gives — the independent answer.
public final class RedisConnection {
    public enum Reply: Equatable, Sendable {
        case simple(String)
        case error(String)
        case integer(Int)
        case bulk([UInt8]?)
        case array([Reply]?)
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    public init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
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
            throw RealServerError.notAccepting("redis", port)
        }
    }

    deinit { close(fd) }

    /// Sends many commands pipelined, in batches of 256 (so that neither side's socket buffer
    /// fills while the other waits), and reads their replies in order.
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [Reply] {
        var replies: [Reply] = []
        replies.reserveCapacity(commands.count)
        var start = 0
        while start < commands.count {
            let end = min(commands.count, start + 256)
            replies += try send(Array(commands[start..<end]))
            start = end
        }
        return replies
    }

    private func send(_ commands: [[[UInt8]]]) throws -> [Reply] {
        var out: [UInt8] = []
        for command in commands {
            out += Array("*\(command.count)\r\n".utf8)
            for argument in command {
                out += Array("$\(argument.count)\r\n".utf8) + argument + [13, 10]
            }
        }
        var offset = 0
        while offset < out.count {
            let written = out.withUnsafeBytes { write(fd, $0.baseAddress! + offset, out.count - offset) }
            guard written > 0 else { throw RealServerError.notAccepting("redis write", 0) }
            offset += written
        }
        return try commands.map { _ in try readReply() }
    }

    public func call(_ arguments: String...) throws -> Reply {
        try pipeline([arguments.map { Array($0.utf8) }])[0]
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<max(0, newline - 1)])
                buffer.removeFirst(newline + 1)
                return line
            }
            try fill()
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw RealServerError.notAccepting("redis read", 0) }
        buffer += chunk[..<n]
    }

    private func readReply() throws -> Reply {
        let line = try readLine()
        guard let kind = line.first else { throw RealServerError.notAccepting("redis empty line", 0) }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch kind {
        case UInt8(ascii: "+"): return .simple(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"): return .integer(Int(rest) ?? 0)
        case UInt8(ascii: "$"):
            let length = Int(rest) ?? -1
            guard length >= 0 else { return .bulk(nil) }
            while buffer.count < length + 2 { try fill() }
            let value = Array(buffer[..<length])
            buffer.removeFirst(length + 2)
            return .bulk(value)
        case UInt8(ascii: "*"):
            let count = Int(rest) ?? -1
            guard count >= 0 else { return .array(nil) }
            return .array(try (0..<count).map { _ in try readReply() })
        default:
            throw RealServerError.notAccepting("redis reply '\(rest)'", 0)
        }
    }
}
