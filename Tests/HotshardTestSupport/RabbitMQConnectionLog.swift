import Foundation

/// How the AMQP connections a RabbitMQ broker accepted from a given time on ended, from its log.
/// The broker logs every connection it accepts (`[info] <pid> accepting AMQP connection …`) and its
/// end: an `info` line `closing AMQP connection …` when the client closed with the connection.close
/// handshake, a `warning` (or `error`) one with the reason on the next line otherwise — `client
/// unexpectedly closed TCP connection` when the client just closed its socket. Lines are matched to
/// connections by the connection process's pid, and connections picked by the time of their
/// accept line: the broker writes its log in delayed batches, so where the log ended at a moment
/// does not say which connections came after it.
public struct RabbitMQConnectionLog: Equatable, Sendable {
    public var accepted = 0
    public var closedWithHandshake = 0
    public var closedOtherwise = 0
    /// Of `closedOtherwise`: the client closed its socket without the handshake.
    public var closedUnexpectedly = 0

    public init(accepted: Int = 0, closedWithHandshake: Int = 0, closedOtherwise: Int = 0, closedUnexpectedly: Int = 0) {
        self.accepted = accepted
        self.closedWithHandshake = closedWithHandshake
        self.closedOtherwise = closedOtherwise
        self.closedUnexpectedly = closedUnexpectedly
    }

    /// Counts the connections of `text` (the log) accepted at or after `since`.
    public init(text: String, since: Date) {
        var ours: Set<Substring> = []
        for line in text.split(separator: "\n") {
            // `2026-12-07 21:41:34.024978+00:00 [info] <0.792.0> accepting AMQP connection …`
            let fields = line.split(separator: " ", maxSplits: 4)
            guard fields.count == 5 else { continue }
            let pid = fields[3]
            let message = fields[4]
            if message.hasPrefix("accepting AMQP connection") {
                guard let time = Self.time(date: fields[0], clock: fields[1]), time >= since else { continue }
                ours.insert(pid)
                accepted += 1
            } else if ours.contains(pid), message.hasPrefix("closing AMQP connection") {
                if fields[2] == "[info]" { closedWithHandshake += 1 } else { closedOtherwise += 1 }
            } else if ours.contains(pid), message.hasPrefix("client unexpectedly closed TCP connection") {
                closedUnexpectedly += 1
            }
        }
    }

    public var closed: Int { closedWithHandshake + closedOtherwise }

    /// `2026-12-07` and `21:41:34.024978+00:00` (the broker logs in UTC, with its offset).
    static func time(date: Substring, clock: Substring) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // ISO 8601 takes milliseconds: the microseconds' last three digits are dropped.
        guard let dot = clock.firstIndex(of: "."), let zone = clock.firstIndex(where: { $0 == "+" || $0 == "-" }) else { return nil }
        let fraction = clock[clock.index(after: dot)..<zone].prefix(3)
        return formatter.date(from: "\(date)T\(clock[..<dot]).\(fraction)\(clock[zone...])")
    }
}
