import HotshardBytes
import HotshardProtocols

/// Writes the AMQP 0-9-1 frames a client sends: the protocol header, method frames with their
/// arguments (short strings, long strings, empty tables, bits packed into octets as the spec packs
/// consecutive bits) and a publish's content (header frame and body frames of filler bytes).
/// Lengths on the wire are computed here and checked: a short string longer than 255 bytes is cut
/// to 255 (callers validate names first, so this never silently changes a name they gave).
enum AMQPFrameWriter {
    /// The largest frame the load client agrees to (RabbitMQ's default `frame_max`); bodies are cut
    /// into frames of at most this minus the 8 bytes of frame overhead.
    static let frameMax = 131_072

    /// Filler for bodies: one frame's worth, copied from.
    private static let fillerChunk = [UInt8](repeating: UInt8(ascii: "m"), count: frameMax - 8)

    /// Method arguments, written in order.
    struct Arguments {
        var bytes: [UInt8] = []

        mutating func octet(_ value: UInt8) { bytes.append(value) }

        mutating func short(_ value: UInt16) {
            bytes.append(UInt8(truncatingIfNeeded: value >> 8))
            bytes.append(UInt8(truncatingIfNeeded: value))
        }

        mutating func long(_ value: UInt32) {
            for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }

        mutating func longLong(_ value: UInt64) {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }

        mutating func shortString(_ value: [UInt8]) {
            let count = min(value.count, 255)
            bytes.append(UInt8(count))
            bytes.append(contentsOf: value.prefix(count))
        }

        mutating func shortString(_ value: String) { shortString(Array(value.utf8)) }

        mutating func longString(_ value: [UInt8]) {
            long(UInt32(clamping: value.count))
            bytes.append(contentsOf: value)
        }

        /// An empty field table.
        mutating func emptyTable() { long(0) }

        /// Bits packed into one octet, the first in the lowest bit.
        mutating func bits(_ values: Bool...) {
            var octet: UInt8 = 0
            for (index, value) in values.enumerated() where value { octet |= 1 << UInt8(index) }
            bytes.append(octet)
        }
    }

    /// `AMQP\0\0\9\1`, the first bytes a client sends.
    static var protocolHeader: [UInt8] { AMQPFrameReader.protocolHeader }

    /// One method frame on `channel`.
    static func method(channel: UInt16, _ classID: UInt16, _ methodID: UInt16, _ arguments: Arguments = Arguments()) -> [UInt8] {
        var payload = Arguments()
        payload.short(classID)
        payload.short(methodID)
        payload.bytes += arguments.bytes
        return frame(type: 1, channel: channel, payload: payload.bytes)
    }

    static func frame(type: UInt8, channel: UInt16, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [type, UInt8(truncatingIfNeeded: channel >> 8), UInt8(truncatingIfNeeded: channel)]
        out.reserveCapacity(8 + payload.count)
        let size = UInt32(clamping: payload.count)
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        out += payload
        out.append(AMQPFrameReader.frameEnd)
        return out
    }

    // MARK: Methods the load client sends

    /// connection.start-ok: PLAIN with `user` and `password`, no client properties.
    static func startOK(user: String, password: String) -> [UInt8] {
        var arguments = Arguments()
        arguments.emptyTable()
        arguments.shortString("PLAIN")
        arguments.longString([0] + Array(user.utf8) + [0] + Array(password.utf8))
        arguments.shortString("en_US")
        return method(channel: 0, 10, 11, arguments)
    }

    /// connection.tune-ok: the broker's channel-max, our frame-max, heartbeats off (a load run's
    /// connections are busy or short; a missed heartbeat must not close one mid-measurement).
    static func tuneOK(channelMax: UInt16, frameMax: UInt32) -> [UInt8] {
        var arguments = Arguments()
        arguments.short(channelMax)
        arguments.long(frameMax)
        arguments.short(0)
        return method(channel: 0, 10, 31, arguments)
    }

    /// connection.open on `virtualHost`.
    static func connectionOpen(virtualHost: String) -> [UInt8] {
        var arguments = Arguments()
        arguments.shortString(virtualHost)
        arguments.shortString("")
        arguments.bits(false)
        return method(channel: 0, 10, 40, arguments)
    }

    /// connection.close from the client: reply-code 200 and no failing method (class-id and
    /// method-id 0), as a client library closes a connection it is done with.
    static func connectionClose(replyCode: UInt16 = 200, replyText: String = "Normal shutdown") -> [UInt8] {
        var arguments = Arguments()
        arguments.short(replyCode)
        arguments.shortString(replyText)
        arguments.short(0)
        arguments.short(0)
        return method(channel: 0, 10, 50, arguments)
    }

    /// connection.close-ok: the answer to the broker's connection.close.
    static var connectionCloseOK: [UInt8] { method(channel: 0, 10, 51) }

    static func channelOpen(_ channel: UInt16) -> [UInt8] {
        var arguments = Arguments()
        arguments.shortString("")
        return method(channel: channel, 20, 10, arguments)
    }

    static func confirmSelect(_ channel: UInt16) -> [UInt8] {
        var arguments = Arguments()
        arguments.bits(false)
        return method(channel: channel, 85, 10, arguments)
    }

    /// exchange.declare, not passive, not durable, not auto-deleted.
    static func exchangeDeclare(_ channel: UInt16, name: [UInt8], type: String) -> [UInt8] {
        var arguments = Arguments()
        arguments.short(0)
        arguments.shortString(name)
        arguments.shortString(type)
        arguments.bits(false, false, false, false, false)
        arguments.emptyTable()
        return method(channel: channel, 40, 10, arguments)
    }

    /// queue.declare, not durable, not exclusive, not auto-deleted (a run's queues outlive its connections).
    static func queueDeclare(_ channel: UInt16, name: [UInt8], passive: Bool = false) -> [UInt8] {
        var arguments = Arguments()
        arguments.short(0)
        arguments.shortString(name)
        arguments.bits(passive, false, false, false, false)
        arguments.emptyTable()
        return method(channel: channel, 50, 10, arguments)
    }

    static func queueBind(_ channel: UInt16, queue: [UInt8], exchange: [UInt8], bindingKey: [UInt8]) -> [UInt8] {
        var arguments = Arguments()
        arguments.short(0)
        arguments.shortString(queue)
        arguments.shortString(exchange)
        arguments.shortString(bindingKey)
        arguments.bits(false)
        arguments.emptyTable()
        return method(channel: channel, 50, 20, arguments)
    }

    static func queuePurge(_ channel: UInt16, queue: [UInt8]) -> [UInt8] {
        var arguments = Arguments()
        arguments.short(0)
        arguments.shortString(queue)
        arguments.bits(false)
        return method(channel: channel, 50, 30, arguments)
    }

    static func basicQos(_ channel: UInt16, prefetch: UInt16) -> [UInt8] {
        var arguments = Arguments()
        arguments.long(0)
        arguments.short(prefetch)
        arguments.bits(false)
        return method(channel: channel, 60, 10, arguments)
    }

    /// basic.consume with acknowledgements on (no-ack false); the consumer tag is given.
    static func basicConsume(_ channel: UInt16, queue: [UInt8], tag: [UInt8]) -> [UInt8] {
        var arguments = Arguments()
        arguments.short(0)
        arguments.shortString(queue)
        arguments.shortString(tag)
        arguments.bits(false, false, false, false)
        arguments.emptyTable()
        return method(channel: channel, 60, 20, arguments)
    }

    static func basicAck(_ channel: UInt16, tag: UInt64, multiple: Bool) -> [UInt8] {
        var arguments = Arguments()
        arguments.longLong(tag)
        arguments.bits(multiple)
        return method(channel: channel, 60, 80, arguments)
    }

    /// basic.publish (not mandatory, not immediate) with its content: a header frame (class 60, no
    /// properties) and `bodySize` filler bytes in body frames of at most `frameMax − 8` bytes.
    static func publish(
        channel: UInt16, exchange: [UInt8], routingKey: ByteView, bodySize: Int,
        into out: inout [UInt8]
    ) {
        var arguments = Arguments()
        arguments.short(0)
        arguments.shortString(exchange)
        arguments.shortString(Array(routingKey))
        arguments.bits(false, false)
        out += method(channel: channel, 60, 40, arguments)
        appendContent(channel: channel, bodySize: bodySize, into: &out)
    }

    /// A publish's content header and body frames.
    static func appendContent(channel: UInt16, bodySize: Int, into out: inout [UInt8]) {
        var header = Arguments()
        header.short(60)
        header.short(0)
        header.longLong(UInt64(max(0, bodySize)))
        header.short(0)
        out += frame(type: 2, channel: channel, payload: header.bytes)
        var left = max(0, bodySize)
        let chunk = frameMax - 8
        while left > 0 {
            let size = min(left, chunk)
            out += [3, UInt8(truncatingIfNeeded: channel >> 8), UInt8(truncatingIfNeeded: channel)]
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: size >> shift)) }
            // Copied from a ready-made chunk (a byte-by-byte fill of a 100 kB body cost ~0.1 s in a debug build).
            out.append(contentsOf: fillerChunk[0..<size])
            out.append(AMQPFrameReader.frameEnd)
            left -= size
        }
    }

    /// A captured basic.publish method frame moved to `channel` and followed by content of
    /// `bodySize` filler bytes (replay sends the capture's routing and sizes, not its bodies).
    /// Nil when `methodFrame` is not one whole basic.publish method frame.
    static func republish(methodFrame: [UInt8], channel: UInt16, bodySize: Int) -> [UInt8]? {
        guard methodFrame.count >= 12, methodFrame[0] == 1, methodFrame[7] == 0, methodFrame[8] == 60,
            methodFrame[9] == 0, methodFrame[10] == 40, methodFrame.last == AMQPFrameReader.frameEnd
        else { return nil }
        let size = Int(methodFrame[3]) << 24 | Int(methodFrame[4]) << 16 | Int(methodFrame[5]) << 8 | Int(methodFrame[6])
        guard size + 8 == methodFrame.count else { return nil }
        var out = methodFrame
        out[1] = UInt8(truncatingIfNeeded: channel >> 8)
        out[2] = UInt8(truncatingIfNeeded: channel)
        appendContent(channel: channel, bodySize: bodySize, into: &out)
        return out
    }
}
