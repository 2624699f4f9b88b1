import HotshardBytes
import HotshardProtocols

/// Writes requests in their wire protocol: RESP arrays of bulk strings, memcached text, meta or
/// binary commands, HTTP/1.1 requests with keep-alive, AMQP basic.publish with its content frames. Appends to a caller's byte array (no allocation once it
/// has grown). Values are filler bytes of the requested size.
public struct RequestEncoder: Sendable {
    public let scheme: LoadTarget.Scheme
    public let memcachedProtocol: MemcachedProtocol
    let pathPrefix: [UInt8]
    let pathSuffix: [UInt8]
    let headerBlock: [UInt8]
    /// AMQP: the exchange publishes go to.
    let exchange: [UInt8]

    public init(profile: LoadProfile) {
        scheme = profile.target.scheme
        memcachedProtocol = profile.memcachedProtocol
        exchange = profile.amqp?.exchange ?? []
        let path = Array(profile.httpPath.utf8)
        let placeholder = Array("{key}".utf8)
        var split = path.count
        if path.count >= placeholder.count {
            for start in 0...(path.count - placeholder.count) where Array(path[start..<(start + placeholder.count)]) == placeholder {
                split = start
                break
            }
        }
        pathPrefix = Array(path[..<split])
        pathSuffix = split < path.count ? Array(path[(split + placeholder.count)...]) : []
        var headers = "Host: \(profile.target.host.contains(":") ? "[\(profile.target.host)]" : profile.target.host):\(profile.target.port)\r\n"
        for (name, value) in profile.httpHeaders { headers += "\(name): \(value)\r\n" }
        headerBlock = Array(headers.utf8)
    }

    /// The command name the result will count for a request (`GET`, `MGET`, `DEL`, …).
    public func commandName(_ kind: OperationSpec.Kind) -> String {
        if scheme == .amqp || kind == .publish { return "basic.publish" }
        if scheme == .memcached, memcachedProtocol != .text {
            // As MemcachedParser names them.
            let binary = memcachedProtocol == .binary
            switch kind {
            case .get, .multiGet, .httpGet: return binary ? "GET" : "MG"
            case .set, .httpPost, .publish: return binary ? "SET" : "MS"
            case .delete: return binary ? "DELETE" : "MD"
            case .incr: return binary ? "INCREMENT" : "MA"
            }
        }
        return switch (scheme, kind) {
        case (.redis, .get), (.memcached, .get), (.memcached, .multiGet), (.http, .httpGet): "GET"
        case (.redis, .set), (.memcached, .set): "SET"
        case (.redis, .multiGet): "MGET"
        case (.redis, .delete): "DEL"
        case (.memcached, .delete): "DELETE"
        case (_, .incr): "INCR"
        case (_, .httpPost): "POST"
        default: "?"
        }
    }

    public func encode(_ request: LoadRequest, into out: inout [UInt8]) {
        switch scheme {
        case .redis: encodeRESP(request, into: &out)
        case .memcached:
            switch memcachedProtocol {
            case .text: encodeMemcached(request, into: &out)
            case .meta: encodeMeta(request, into: &out)
            case .binary: encodeBinary(request, into: &out)
            }
        case .http: encodeHTTP(request, into: &out)
        case .amqp:
            // basic.publish on channel 1 (the one the connection opened), routing key = the key.
            let key = request.keys.first?.key ?? Key()
            key.withByteView {
                AMQPFrameWriter.publish(
                    channel: 1, exchange: exchange, routingKey: $0, bodySize: request.valueSize, into: &out)
            }
        }
    }

    /// `HELLO 3`, sent first on each RESP3 connection.
    public static let hello3: [UInt8] = Array("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n".utf8)

    private func encodeRESP(_ request: LoadRequest, into out: inout [UInt8]) {
        // The name as a bulk string, appended in one piece (a literal: no array to retain).
        let name: StaticString
        var extra = 0
        switch request.kind {
        case .get, .httpGet: name = "$3\r\nGET\r\n"
        case .set, .httpPost, .publish: name = "$3\r\nSET\r\n"; extra = 1
        case .multiGet: name = "$4\r\nMGET\r\n"
        case .delete: name = "$3\r\nDEL\r\n"
        case .incr: name = "$4\r\nINCR\r\n"
        }
        out.append(UInt8(ascii: "*"))
        appendDecimal(1 + request.keys.count + extra, to: &out)
        appendLineEnd(to: &out)
        out.append(static: name)
        // Each key read in place (a copy of the list retained its storage).
        for index in request.keys.indices {
            request.keys[index].key.withByteView { appendBulk($0, to: &out) }
        }
        if extra == 1 {
            out.append(UInt8(ascii: "$"))
            appendDecimal(request.valueSize, to: &out)
            appendLineEnd(to: &out)
            appendFiller(request.valueSize, to: &out)
            appendLineEnd(to: &out)
        }
    }

    private func encodeMemcached(_ request: LoadRequest, into out: inout [UInt8]) {
        switch request.kind {
        case .get, .multiGet, .httpGet:
            out.append(static: "get")
            for reference in request.keys {
                out.append(0x20)
                reference.key.withByteView { out.append(contentsOf: $0) }
            }
            appendLineEnd(to: &out)
        case .set, .httpPost, .publish:
            out.append(static: "set ")
            appendFirstKey(request, to: &out)
            out.append(static: " 0 0 ")
            appendDecimal(request.valueSize, to: &out)
            appendLineEnd(to: &out)
            appendFiller(request.valueSize, to: &out)
            appendLineEnd(to: &out)
        case .delete:
            out.append(static: "delete ")
            appendFirstKey(request, to: &out)
            appendLineEnd(to: &out)
        case .incr:
            out.append(static: "incr ")
            appendFirstKey(request, to: &out)
            out.append(static: " 1\r\n")
        }
    }

    /// Meta commands: `mg KEY v` (the value back, or EN), `ms KEY SIZE` + data, `md KEY`, `ma KEY`.
    private func encodeMeta(_ request: LoadRequest, into out: inout [UInt8]) {
        switch request.kind {
        case .get, .multiGet, .httpGet:
            out.append(static: "mg ")
            appendFirstKey(request, to: &out)
            out.append(static: " v\r\n")
        case .set, .httpPost, .publish:
            out.append(static: "ms ")
            appendFirstKey(request, to: &out)
            out.append(0x20)
            appendDecimal(request.valueSize, to: &out)
            appendLineEnd(to: &out)
            appendFiller(request.valueSize, to: &out)
            appendLineEnd(to: &out)
        case .delete:
            out.append(static: "md ")
            appendFirstKey(request, to: &out)
            appendLineEnd(to: &out)
        case .incr:
            out.append(static: "ma ")
            appendFirstKey(request, to: &out)
            appendLineEnd(to: &out)
        }
    }

    /// Binary frames (protocol_binary.h): GET, SET (flags 0, no expiry), DELETE, INCREMENT by 1
    /// (expiry 0xffffffff: a missing key is NOT_FOUND, as text `incr`). Opaque 0: replies come in order.
    private func encodeBinary(_ request: LoadRequest, into out: inout [UInt8]) {
        let opcode: UInt8
        var extras = Self.noExtras
        var value = 0
        switch request.kind {
        case .get, .multiGet, .httpGet: opcode = 0x00
        case .set, .httpPost, .publish:
            opcode = 0x01
            extras = Self.setExtras
            value = request.valueSize
        case .delete: opcode = 0x04
        case .incr:
            opcode = 0x05
            extras = Self.incrementExtras
        }
        let keyLength = min(request.keys.first?.key.count ?? 0, Int(UInt16.max))
        let body = extras.count + keyLength + value
        let header: InlineArray<12, UInt8> = [
            0x80, opcode, UInt8(truncatingIfNeeded: keyLength >> 8), UInt8(truncatingIfNeeded: keyLength),
            UInt8(truncatingIfNeeded: extras.count), 0, 0, 0,
            UInt8(truncatingIfNeeded: body >> 24), UInt8(truncatingIfNeeded: body >> 16),
            UInt8(truncatingIfNeeded: body >> 8), UInt8(truncatingIfNeeded: body),
        ]
        for index in header.indices { out.append(header[index]) }
        out.append(contentsOf: repeatElement(0, count: 12))  // opaque, CAS
        out += extras
        appendFirstKey(request, to: &out, limit: keyLength)
        appendFiller(value, to: &out)
    }

    /// SET: flags 0, expiry 0. INCREMENT: delta 1, initial 0, expiry 0xffffffff (no creation).
    private static let noExtras: [UInt8] = [], setExtras = [UInt8](repeating: 0, count: 8),
        incrementExtras: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]

    private func encodeHTTP(_ request: LoadRequest, into out: inout [UInt8]) {
        let isPost = request.kind == .httpPost || request.kind == .set
        out.append(static: isPost ? "POST " : "GET ")
        out += pathPrefix
        if let key = request.keys.first?.key { key.withByteView { appendEscaped($0, to: &out) } }
        out += pathSuffix
        out.append(static: " HTTP/1.1\r\n")
        out += headerBlock
        if isPost {
            out.append(static: "Content-Length: ")
            appendDecimal(request.valueSize, to: &out)
            out.append(static: "\r\n\r\n")
            appendFiller(request.valueSize, to: &out)
        } else {
            appendLineEnd(to: &out)
        }
    }

    /// The target of an HTTP request this encoder wrote (between the method's space and the
    /// version's): the key the HTTP parser names the request by, under the key mode `load` uses.
    public static func httpTarget(of request: ByteView) -> Key {
        guard let start = request.firstIndex(of: 0x20) else { return Key() }
        let end = request.firstIndex(of: 0x20, from: start + 1) ?? request.count
        return Key(request.extracting((start + 1)..<end))
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    private func appendEscaped(_ key: ByteView, to out: inout [UInt8]) {
        let hex = Self.hexDigits
        for byte in key {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: ","),
                UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "+"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
    }

    /// The first key's bytes (memcached commands name one key).
    private func appendFirstKey(_ request: LoadRequest, to out: inout [UInt8], limit: Int = .max) {
        request.keys.first?.key.withByteView { out.append(contentsOf: $0.prefix(upTo: limit)) }
    }

    @inline(__always)
    private func appendBulk(_ bytes: ByteView, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "$"))
        appendDecimal(bytes.count, to: &out)
        appendLineEnd(to: &out)
        out.append(contentsOf: bytes)
        appendLineEnd(to: &out)
    }

    @inline(__always)
    private func appendLineEnd(to out: inout [UInt8]) {
        out.append(0x0d)
        out.append(0x0a)
    }

    private func appendFiller(_ count: Int, to out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(UInt8(ascii: "v"), count: count))
    }

    /// A non-negative count's decimal digits (a negative one as 0): lengths below 100 (keys,
    /// argument counts) take one or two appends, longer ones are written in place and reversed.
    @inline(__always)
    func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: max(0, value)))
            return
        }
        if value < 100 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10))
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
            return
        }
        // Digits written in place, then reversed: no temporary array.
        let start = out.count
        var rest = value
        while rest > 0 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        }
        out[start...].reverse()
    }
}

extension [UInt8] {
    /// Appends a literal's bytes (no array made for it).
    mutating func append(static text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}
