import Foundation

/// GET requests with request targets given as raw bytes (so a test controls exactly what a proxy
/// hashes), sent over one keep-alive connection to 127.0.0.1: `window` requests pipelined at a
/// time, or one at a time with `window: 1`. Replies are read by their Content-Length.
public enum HTTPPipeline {
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var body: String
    }

    public static func get(port: UInt16, targets: [[UInt8]], window: Int = 64) throws -> [Reply] {
        let socket = try LoopbackSocket(port: port)
        var reader = ReplyReader(socket: socket)
        var replies: [Reply] = []
        replies.reserveCapacity(targets.count)
        var start = 0
        while start < targets.count {
            let end = min(start + max(window, 1), targets.count)
            var request: [UInt8] = []
            for target in targets[start..<end] {
                request += Array("GET ".utf8) + target + Array(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            }
            try socket.send(request)
            for _ in start..<end { replies.append(try reader.next()) }
            start = end
        }
        return replies
    }

    /// Replies read off one connection: status line, headers up to the blank line, then
    /// Content-Length bytes of body. Takes the socket's bytes as they arrive and scans each byte
    /// once (a debug build parsing 5,000 replies byte by byte through `String` took seconds).
    struct ReplyReader {
        let socket: LoopbackSocket
        var data: [UInt8] = []
        var position = 0

        mutating func more() throws {
            try socket.fill()
            data += socket.buffer
            socket.buffer.removeAll(keepingCapacity: true)
        }

        mutating func next() throws -> Reply {
            if position > 0 {
                data.removeFirst(position)
                position = 0
            }
            var scan = 0
            var headerEnd = -1
            while headerEnd < 0 {
                while scan + 3 < data.count {
                    if data[scan] == 13 && data[scan + 1] == 10 && data[scan + 2] == 13 && data[scan + 3] == 10 {
                        headerEnd = scan
                        break
                    }
                    scan += 1
                }
                if headerEnd < 0 { try more() }
            }
            let head = String(decoding: data[0..<headerEnd], as: UTF8.self)
            var status = 0, length = 0
            for (index, line) in head.split(separator: "\r\n", omittingEmptySubsequences: false).enumerated() {
                if index == 0 {
                    status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
                } else if line.count > 15, line.prefix(15).lowercased() == "content-length:" {
                    length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            let bodyStart = headerEnd + 4
            while data.count < bodyStart + length { try more() }
            position = bodyStart + length
            return Reply(status: status, body: String(decoding: data[bodyStart..<position], as: UTF8.self))
        }
    }
}
