import Foundation

/// Reads back what a rendered report shows: the hot-key rows and the `data-v` values of tables
/// and figures. Regular expressions over the renderer's own fixed markup, not a general HTML parser.
struct ReportHTML {
    let html: String

    struct HotKeyRow {
        var rank: Int
        /// The key as shown (HTML entities decoded).
        var key: String
        /// The full key from the `title` attribute when the shown key is shortened.
        var fullKey: String?
        /// `data-v` of each cell after the key cell, in column order.
        var values: [String]
        /// The text of each such cell.
        var texts: [String]
    }

    static let columns = [
        "count", "share", "cumulative", "reads", "writes", "bytes", "largest", "hit-ratio", "p99",
        "clients", "error-bound", "hot-since",
    ]

    var hotKeyRows: [HotKeyRow] {
        let table = section(from: "<table id=\"hot-keys\"", to: "</table>")
        return matches(#"<tr data-rank="(\d+)">(.*?)</tr>"#, in: table).compactMap { groups in
            guard let rank = Int(groups[1]) else { return nil }
            let row = groups[2]
            let keyCell = matches(#"<td class="key"( title="([^"]*)")?><code>(.*?)</code>"#, in: row).first
            let cells = matches(#"<td data-v="([^"]*)"[^>]*>(.*?)</td>"#, in: row)
            return HotKeyRow(
                rank: rank, key: Self.unescape(keyCell?[3] ?? ""),
                fullKey: (keyCell?[2]).flatMap { $0.isEmpty ? nil : Self.unescape($0) },
                values: cells.dropFirst().map { $0[1] }, texts: cells.dropFirst().map { Self.unescape($0[2]) })
        }
    }

    /// `data-v` of the summary figure `id` (rate, top-share, p99).
    func figure(_ id: String) -> String? {
        matches(#"<div class="figure" id="figure-\#(id)"><dt>[^<]*</dt><dd data-v="([^"]*)">"#, in: html).first?[1]
    }

    /// `data-v` of the row named `name` in a two-column table (`totals-table`, `health-table`…).
    func tableValue(_ table: String, _ name: String) -> String? {
        let body = section(from: "id=\"\(table)\"", to: "</table>")
        return matches(#"<th scope="row">\#(NSRegularExpression.escapedPattern(for: name))</th><td data-v="([^"]*)">"#, in: body).first?[1]
    }

    /// `data-v` of every cell of each row of the table with `id` (rows in order).
    func tableRows(_ id: String) -> [[String]] {
        let body = section(from: "id=\"\(id)\"", to: "</table>")
        return matches(#"<tr>(<td.*?)</tr>"#, in: body).map { row in
            matches(#"<td data-v="([^"]*)">"#, in: row[1]).map { $0[1] }
        }
    }

    func section(from start: String, to end: String) -> String {
        guard let from = html.range(of: start), let to = html.range(of: end, range: from.upperBound..<html.endIndex) else { return "" }
        return String(html[from.lowerBound..<to.upperBound])
    }

    func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).map { match in
            (0..<match.numberOfRanges).map { index in
                Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
            }
        }
    }

    /// Decodes the five entities the renderer emits.
    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
