import Foundation

/// A load run's thresholds as JUnit XML, the test-report format CI systems read (Jenkins, GitLab,
/// GitHub Actions reporters): one `<testcase>` per threshold, with a `<failure>` for each missed one
/// carrying the measured value. Text is escaped for XML (the five entities; characters XML 1.0
/// cannot hold are dropped), so a rule such as `p99 < 5ms` is safe in an attribute.
public enum JUnitReport {
    /// The XML for `document`'s thresholds (none: an empty suite), the suite named `suite`.
    public static func render(_ document: ResultDocument, suite: String) -> String {
        let outcomes = document.load?.thresholds ?? []
        let failures = outcomes.filter { !$0.passed }.count
        let seconds = String(format: "%.3f", document.load?.measuredSeconds ?? document.totals.durationSeconds)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"hotshard\" tests=\"\(outcomes.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(seconds)\">\n"
        xml +=
            "  <testsuite name=\"\(escape(suite))\" tests=\"\(outcomes.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"\(seconds)\">\n"
        for outcome in outcomes {
            let measured = "measured \(describe(outcome.measured, rule: outcome.rule))"
            xml += "    <testcase classname=\"hotshard.thresholds\" name=\"\(escape(outcome.rule))\" time=\"0\""
            if outcome.passed {
                xml += ">\n      <system-out>\(escape(measured))</system-out>\n    </testcase>\n"
            } else {
                xml += ">\n      <failure type=\"threshold\" message=\"\(escape("missed: \(outcome.rule) (\(measured))"))\">"
                xml += escape("the rule `\(outcome.rule)` was missed: \(measured)") + "</failure>\n    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// Writes the XML atomically (a temporary file renamed over `path`).
    public static func write(_ document: ResultDocument, suite: String, toPath path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(render(document, suite: suite).utf8).write(to: url, options: .atomic)
    }

    /// The measured value in the rule's units: µs for a latency, a percentage for a `%` rule.
    static func describe(_ value: Double, rule: String) -> String {
        let name = rule.trimmingCharacters(in: .whitespaces).lowercased()
        if name.hasPrefix("p") || name.hasPrefix("max") || name.hasPrefix("service.") || name.hasPrefix("corrected.") {
            return String(format: "%.0f µs", value)
        }
        if rule.contains("%") { return String(format: "%.3f %%", value * 100) }
        return String(format: "%.3f", value)
    }

    /// `text` with `& < > " '` as character references (HTML's escaping, which XML reads the same)
    /// and the characters XML 1.0 forbids (most C0 controls) dropped.
    static func escape(_ text: String) -> String {
        var allowed = String.UnicodeScalarView()
        for scalar in text.unicodeScalars
        where scalar.value >= 0x20 ? scalar.value != 0xFFFE && scalar.value != 0xFFFF : "\t\n\r".unicodeScalars.contains(scalar) {
            allowed.append(scalar)
        }
        return HTMLEscape.text(String(allowed))
    }
}
