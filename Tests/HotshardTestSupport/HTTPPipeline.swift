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
            for _ in start..<end { replies.append(try readReply(socket)) }
            start = end
        }
        return replies
    }

    /// One reply: status line, headers up to the blank line, then Content-Length bytes of body.
    static func readReply(_ socket: LoopbackSocket) throws -> Reply {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if socket.buffer.count >= 4 {
                headerEnd = (0...(socket.buffer.count - 4)).first { socket.buffer[$0..<($0 + 4)].elementsEqual(separator) }
            }
            if headerEnd == nil { try socket.fill() }
        }
        let headerBytes = try socket.receive(count: (headerEnd ?? 0) + 4)
        let head = String(decoding: headerBytes, as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var length = 0
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        let body = try socket.receive(count: length)
        return Reply(status: status, body: String(decoding: body, as: UTF8.self))
    }
}
