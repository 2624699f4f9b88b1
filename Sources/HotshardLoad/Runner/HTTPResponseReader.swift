import Foundation

/// Frames HTTP/1.1 responses incrementally (status line, headers, Content-Length or chunked
/// body) so that replies pair with requests in order. HotshardProtocols has no HTTP parser yet;
/// this one only frames responses and reads the status code — it never buffers bodies, and
/// keeps at most `maxHeadBytes` of a header block.
struct HTTPResponseReader {
    struct Response {
        var status: Int
        var bytes: Int
    }

    enum Failure: Error { case malformed, oversizedHead }

    private enum State {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd(remaining: Int)
        case trailer
    }

    let maxHeadBytes: Int
    private var state = State.head
    private var line: [UInt8] = []
    private var head: [UInt8] = []
    private var status = 0
    private var bytes = 0

    init(maxHeadBytes: Int = 65_536) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Consumes bytes; `emit` gets every finished response. Throws on bytes that are not HTTP.
    mutating func consume(_ input: UnsafeRawBufferPointer, emit: (Response) -> Void) throws(Failure) {
        var index = 0
        while index < input.count {
            switch state {
            case .head:
                let byte = input[index]
                index += 1
                bytes += 1
                head.append(byte)
                guard head.count <= maxHeadBytes else { throw .oversizedHead }
                if byte == 0x0a, head.count >= 4, head[head.count - 2] == 0x0d, head[head.count - 3] == 0x0a,
                   head[head.count - 4] == 0x0d {
                    try finishHead(emit: emit)
                }
            case .body(let remaining):
                let take = min(remaining, input.count - index)
                index += take
                bytes += take
                if remaining - take == 0 { finish(emit: emit) } else { state = .body(remaining: remaining - take) }
            case .chunkSize, .trailer:
                let byte = input[index]
                index += 1
                bytes += 1
                line.append(byte)
                guard line.count <= 1_024 else { throw .malformed }
                guard byte == 0x0a else { continue }
                let text = String(decoding: line.prefix { $0 != 0x3b && $0 != 0x0d && $0 != 0x0a }, as: UTF8.self)
                let wasTrailer: Bool
                if case .trailer = state { wasTrailer = true } else { wasTrailer = false }
                let blank = line.count <= 2
                line.removeAll(keepingCapacity: true)
                if wasTrailer {
                    if blank { finish(emit: emit) }
                    continue
                }
                guard let size = Int(text.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0, size < 1 << 40 else { throw .malformed }
                state = size == 0 ? .trailer : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, input.count - index)
                index += take
                bytes += take
                state = remaining - take == 0 ? .chunkDataEnd(remaining: 2) : .chunkData(remaining: remaining - take)
            case .chunkDataEnd(let remaining):
                index += 1
                bytes += 1
                state = remaining == 1 ? .chunkSize : .chunkDataEnd(remaining: remaining - 1)
            }
        }
    }

    private mutating func finishHead(emit: (Response) -> Void) throws(Failure) {
        // "HTTP/1.1 200 OK"
        guard head.count > 12, head.starts(with: Array("HTTP/1.".utf8)) else { throw .malformed }
        let code = head[9..<12]
        guard code.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw .malformed }
        status = code.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        var contentLength: Int?
        var chunked = false
        let text = String(decoding: head, as: UTF8.self)
        for headerLine in text.split(separator: "\r\n").dropFirst() {
            guard let colon = headerLine.firstIndex(of: ":") else { continue }
            let name = headerLine[..<colon].lowercased()
            let value = headerLine[headerLine.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
            if name == "content-length" {
                guard let length = Int(value), length >= 0 else { throw .malformed }
                contentLength = length
            } else if name == "transfer-encoding", value.contains("chunked") {
                chunked = true
            }
        }
        head.removeAll(keepingCapacity: true)
        if status == 204 || status == 304 || (100..<200).contains(status) {
            finish(emit: emit)
        } else if chunked {
            state = .chunkSize
        } else if let contentLength, contentLength > 0 {
            state = .body(remaining: contentLength)
        } else {
            finish(emit: emit)
        }
    }

    private mutating func finish(emit: (Response) -> Void) {
        emit(Response(status: status, bytes: bytes))
        bytes = 0
        state = .head
    }
}
