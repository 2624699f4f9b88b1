import ArgumentParser
import Foundation

/// A wall-clock instant given on the command line (`load --start-at`): RFC 3339
/// (`2026-12-07T05:00:00Z`, `2026-12-07T06:00:00.250+01:00`) or Unix seconds, fractional allowed
/// (`1796619600.5`, as `date +%s.%N` prints). Every shard of a run is given the same one.
struct StartTime: ExpressibleByArgument, CustomStringConvertible {
    /// Nanoseconds since the epoch.
    var nanos: Int64

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds.isFinite, seconds > 0, seconds < 1e11 {
            nanos = Int64((seconds * 1e9).rounded())
            return
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) ?? Self.wholeSeconds(text) {
            nanos = Int64((date.timeIntervalSince1970 * 1e9).rounded())
            return
        }
        return nil
    }

    private static func wholeSeconds(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// RFC 3339 in UTC with milliseconds.
    var description: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(nanos) / 1e9))
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
