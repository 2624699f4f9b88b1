import Foundation

/// A pass/fail rule on a run's result (`p99 < 5ms`, `errors < 0.1%`, `throughput >= 95%`):
/// a missed threshold makes `hotshard load` exit non-zero, for CI.
///
/// Metrics: `p50`, `p90`, `p99`, `p999`, `max` (corrected latency, from the intended send time;
/// prefix `service.` for latency from the actual send), `errors` (a count, or a percentage of
/// requests with `%`), `throughput` (completed requests/s, or with `%` a percentage of the
/// target rate; closed-loop runs have no target, so `%` there compares with itself and passes).
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    public enum Metric: Sendable, Equatable {
        case latency(percentile: Double, corrected: Bool)
        case maxLatency(corrected: Bool)
        case errors
        case throughput
    }
    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"
        func holds(_ lhs: Double, _ rhs: Double) -> Bool {
            switch self {
            case .less: lhs < rhs
            case .lessOrEqual: lhs <= rhs
            case .greater: lhs > rhs
            case .greaterOrEqual: lhs >= rhs
            }
        }
    }

    public var text: String
    public var metric: Metric
    public var comparison: Comparison
    /// Latency in µs; errors as a count or a fraction; throughput in req/s or a fraction of the target.
    public var value: Double
    public var isPercentage: Bool

    public var description: String { text }

    /// Parses one rule; the error names what is wrong.
    public init(parsing text: String) throws(ProfileError) {
        self.text = text
        func fail(_ message: String) -> ProfileError {
            ProfileError(file: "", line: nil, field: "", message: "threshold `\(text)`: \(message)")
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let comparison = Comparison.allCases.first(where: { trimmed.contains($0.rawValue) }),
            let range = trimmed.range(of: comparison.rawValue)
        else {
            throw fail("expected METRIC OP VALUE with OP one of <, <=, >, >=")
        }
        self.comparison = comparison
        var name = String(trimmed[..<range.lowerBound]).trimmingCharacters(in: .whitespaces).lowercased()
        var valueText = String(trimmed[range.upperBound...]).trimmingCharacters(in: .whitespaces).lowercased()
        var corrected = true
        if name.hasPrefix("service.") {
            corrected = false
            name.removeFirst("service.".count)
        } else if name.hasPrefix("corrected.") {
            name.removeFirst("corrected.".count)
        }
        isPercentage = valueText.hasSuffix("%")
        if isPercentage { valueText.removeLast() }
        switch name {
        case "p50", "p90", "p99", "p999", "p99.9", "max":
            guard !isPercentage else { throw fail("a latency is a time (5ms, 250us, 1s), not a percentage") }
            guard let micros = Self.parseMicros(valueText) else { throw fail("`\(valueText)` is not a time such as 5ms, 250us or 1s") }
            value = micros
            switch name {
            case "max": metric = .maxLatency(corrected: corrected)
            case "p999", "p99.9": metric = .latency(percentile: 99.9, corrected: corrected)
            default: metric = .latency(percentile: Double(name.dropFirst()) ?? 99, corrected: corrected)
            }
        case "errors", "throughput":
            guard let number = Double(valueText), number >= 0 else { throw fail("`\(valueText)` is not a number") }
            value = isPercentage ? number / 100 : number
            metric = name == "errors" ? .errors : .throughput
        default:
            throw fail("unknown metric `\(name)`: use p50, p90, p99, p999, max, errors or throughput")
        }
    }

    static func parseMicros(_ text: String) -> Double? {
        let units: [(String, Double)] = [("us", 1), ("µs", 1), ("ms", 1_000), ("s", 1_000_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), number >= 0 else { return nil }
            return number * scale
        }
        return nil
    }

    /// Whether the run met the rule, and the measured value in the rule's units.
    public func evaluate(_ run: LoadRun) -> (passed: Bool, measured: Double) {
        let measured: Double
        switch metric {
        case .latency(let percentile, let corrected):
            let summary = corrected ? run.corrected : run.service
            measured = summary.map { Double($0.valueAtPercentile(percentile)) } ?? 0
        case .maxLatency(let corrected):
            let summary = corrected ? run.corrected : run.service
            measured = summary.map { Double($0.max) } ?? 0
        case .errors:
            let errors = Double(run.errorCount)
            measured = isPercentage ? errors / Double(max(1, run.requestsSent)) : errors
        case .throughput:
            let actual = run.completedPerSecond
            if isPercentage {
                guard let target = run.targetRate, target > 0 else { return (true, 1) }
                measured = actual / target
            } else {
                measured = actual
            }
        }
        return (comparison.holds(measured, value), measured)
    }
}
