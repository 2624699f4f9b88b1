import Foundation

/// How numbers read in the report. Display only: the exact values travel in `data-v` attributes.
enum ReportFormat {
    /// 1234567 → "1,234,567".
    static func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return out
    }

    /// `decimals` places; beyond 10¹⁵ three significant digits with an exponent (never a trap).
    static func decimal(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        guard abs(value) < 1e15 else { return String(format: "%.3g", value) }
        return TerminalSummary.format(value, decimals)
    }

    /// A fraction as a percentage with enough decimals to tell small shares apart.
    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "–" }
        var value = fraction * 100
        let decimals = value >= 10 ? 1 : value >= 0.1 ? 2 : 3
        // Never rounded up to 100% or down to 0% when it is not: 99.97% shows as 99.9%.
        let step = decimals == 1 ? 0.1 : decimals == 2 ? 0.01 : 0.001
        if fraction < 1, fraction > 0 { value = min(max(value, step), 100 - 0.1) }
        return decimal(value, decimals) + "%"
    }

    /// A rate: 12.3k, 1.2M, or the plain number below 1,000.
    static func rate(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value == 0 { return "0" }
        if value >= 1_000_000 { return decimal(value / 1_000_000, 2) + "M" }
        if value >= 10_000 { return decimal(value / 1_000, 1) + "k" }
        if value >= 100 { return integer(Int(value.rounded())) }
        return decimal(value, value >= 10 ? 1 : 2)
    }

    static func micros(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value >= 1_000_000 { return significant(value / 1_000_000) + " s" }
        if value >= 1_000 { return significant(value / 1_000) + " ms" }
        return decimal(value, value < 10 ? 1 : 0) + " µs"
    }

    /// Three significant digits for values from 1 to 999: 1.25, 12.5, 125.
    static func significant(_ value: Double) -> String {
        decimal(value, value < 10 ? 2 : value < 100 ? 1 : 0)
    }

    static func bytes(_ value: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1000, unit < units.count - 1 {
            amount /= 1000
            unit += 1
        }
        return unit == 0 ? "\(value) B" : decimal(amount, 1) + " " + units[unit]
    }

    /// Seconds: "45 s", "2.5 s", "12 min", "1.5 h".
    static func seconds(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value >= 7_200 { return decimal(value / 3_600, 1) + " h" }
        if value >= 600 { return decimal(value / 60, 0) + " min" }
        if value >= 10 || value == value.rounded() { return decimal(value, 0) + " s" }
        return decimal(value, value >= 1 ? 1 : 3) + " s"
    }

    /// The exact value for a `data-v` attribute: integers plainly, doubles in Swift's shortest
    /// round-tripping form, nothing for a missing value.
    static func exact(_ value: Int) -> String { String(value) }
    static func exact(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }
}
