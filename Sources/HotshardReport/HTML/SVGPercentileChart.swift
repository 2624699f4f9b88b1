#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Latency against percentile, both on log scales: x is the number of nines (p50, p90, p99,
/// p99.9, max), y is µs by decade. One line per series (service; corrected for load and replay).
struct SVGPercentileChart {
    struct Series {
        var name: String
        var summary: ResultDocument.LatencySummary
    }

    let series: [Series]

    /// Percentile points as (label, x position in "nines").
    static let positions: [(label: String, nines: Double)] = [
        ("p50", log10(2)), ("p90", 1), ("p99", 2), ("p99.9", 3), ("max", 4),
    ]

    static func values(_ summary: ResultDocument.LatencySummary) -> [Double] {
        [summary.p50, summary.p90, summary.p99, summary.p999, summary.max]
    }

    func render() -> String {
        var frame = ChartFrame()
        frame.height = 256
        frame.top = 28
        let all = series.flatMap { Self.values($0.summary) }.filter { $0 > 0 }
        let low = all.min() ?? 1
        let high = all.max() ?? 10
        let names = series.map(\.name).joined(separator: " and ")
        var svg = SVGDocument(
            id: "chart-latency", width: frame.width, height: frame.height,
            title: "Latency distribution (\(names))",
            description: "Latency in microseconds on a log scale against percentile p50, p90, p99, p99.9 and max.")
        let x = ChartFrame.Linear(low: 0, high: 4, from: frame.left + 10, to: frame.width - frame.right - 10)
        let y = frame.yLog(low, high)
        frame.drawYTicks(y.ticks, at: { y($0) }, label: { ReportFormat.micros($0) }, into: &svg)
        frame.drawXTicks(
            Self.positions.map(\.nines), at: { x($0) },
            label: { nines in
                Self.positions.first { $0.nines == nines }?.label ?? ""
            }, into: &svg)
        frame.drawAxes(into: &svg)
        for (index, entry) in series.enumerated() {
            let className = "s\(index + 1)"
            let values = Self.values(entry.summary)
            let points = zip(Self.positions, values).map { (x($0.nines), y($1)) }
            svg.polyline(points, className: "line \(className)")
            for (position, value) in zip(Self.positions, values) {
                svg.circle(
                    cx: x(position.nines), cy: y(value), r: 3.5, className: "dot \(className)",
                    tooltip: "\(entry.name) \(position.label): \(ReportFormat.micros(value))")
            }
            svg.text(entry.name, x: frame.left + 8 + Double(index) * 120, y: 16, className: "lbl \(className)t")
        }
        return svg.markup
    }
}
