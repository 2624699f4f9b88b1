/// AMQP 0-9-1 frames written byte by byte from the specification's field layouts (amqp0-9-1.xml),
/// for the parser's tests: what a test encodes here is the answer it expects back.
struct AMQPWire {
    var bytes: [UInt8] = []

    static let protocolHeader: [UInt8] = Array("AMQP".utf8) + [0, 0, 9, 1]

    mutating func frame(type: UInt8, channel: UInt16, _ payload: [UInt8], end: UInt8 = 0xCE) {
        bytes += [type] + Self.short(channel) + Self.long(UInt32(payload.count)) + payload + [end]
    }

    mutating func method(channel: UInt16, _ classID: UInt16, _ methodID: UInt16, _ arguments: [UInt8]) {
        frame(type: 1, channel: channel, Self.short(classID) + Self.short(methodID) + arguments)
    }

    /// A content header (class 60) and the body cut into frames of at most `frameMax` bytes.
    mutating func content(channel: UInt16, bodySize: Int, frameMax: Int = 1 << 20) {
        frame(type: 2, channel: channel, Self.short(60) + Self.short(0) + Self.longLong(UInt64(bodySize)) + Self.short(0))
        var left = bodySize
        while left > 0 {
            let size = min(left, frameMax)
            frame(type: 3, channel: channel, [UInt8](repeating: 0x78, count: size))
            left -= size
        }
    }

    mutating func publish(channel: UInt16, exchange: String, routingKey: String, bodySize: Int, frameMax: Int = 1 << 20) {
        method(channel: channel, 60, 40, Self.short(0) + Self.shortString(exchange) + Self.shortString(routingKey) + [0])
        content(channel: channel, bodySize: bodySize, frameMax: frameMax)
    }

    mutating func deliver(
        channel: UInt16, consumerTag: String, deliveryTag: UInt64, exchange: String,
        routingKey: String, bodySize: Int
    ) {
        method(
            channel: channel, 60, 60,
            Self.shortString(consumerTag) + Self.longLong(deliveryTag) + [0]
                + Self.shortString(exchange) + Self.shortString(routingKey))
        content(channel: channel, bodySize: bodySize)
    }

    /// basic.ack (80) or basic.nack (120), either direction.
    mutating func ack(channel: UInt16, tag: UInt64, multiple: Bool, method: UInt16 = 80) {
        self.method(channel: channel, 60, method, Self.longLong(tag) + [multiple ? 1 : 0])
    }

    static func short(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func long(_ value: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8((value >> (8 * UInt32($0))) & 0xff) } }
    static func longLong(_ value: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8((value >> (8 * UInt64($0))) & 0xff) } }
    static func shortString(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }
}
