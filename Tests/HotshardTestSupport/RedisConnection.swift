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

    private let socket: LoopbackSocket

    public init(port: UInt16) throws {
        socket = try LoopbackSocket(port: port)
    }

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
        try socket.send(out)
        return try commands.map { _ in try readReply() }
    }

    public func call(_ arguments: String...) throws -> Reply {
        try pipeline([arguments.map { Array($0.utf8) }])[0]
    }

    /// The server's own count of each command it ran (`INFO commandstats`), as command → calls
    /// (`GET`, `SET`, …): the independent answer a load's per-command totals are checked against.
    public func commandCalls() throws -> [String: Int] {
        guard case .bulk(let bytes?) = try call("INFO", "commandstats") else { return [:] }
        var calls: [String: Int] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\r\n") where line.hasPrefix("cmdstat_") {
            // cmdstat_get:calls=123,usec=…
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[line.index(line.startIndex, offsetBy: 8)..<colon].uppercased()
            for field in line[line.index(after: colon)...].split(separator: ",") where field.hasPrefix("calls=") {
                calls[name] = Int(field.dropFirst(6))
            }
        }
        return calls
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let newline = socket.buffer.firstIndex(of: 10) {
                let line = Array(socket.buffer[..<max(0, newline - 1)])
                socket.buffer.removeFirst(newline + 1)
                return line
            }
            try socket.fill()
        }
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
            let value = try socket.receive(count: length + 2)
            return .bulk(Array(value.dropLast(2)))
        case UInt8(ascii: "*"):
            let count = Int(rest) ?? -1
            guard count >= 0 else { return .array(nil) }
            return .array(try (0..<count).map { _ in try readReply() })
        default:
            throw RealServerError.notAccepting("redis reply '\(rest)'", 0)
        }
    }
}
