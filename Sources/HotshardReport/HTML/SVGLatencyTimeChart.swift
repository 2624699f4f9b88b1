/// Service latency over the run: p50 and p99 of each step as lines on a log scale (µs by decade),
/// stepped like the traffic chart; a step without paired replies breaks the lines.
struct SVGLatencyTimeChart {
    let buckets: WindowBuckets

    func render() -> String {
        var frame = ChartFrame()
        frame.height = 236
        frame.top = 28
        let measured = buckets.buckets.compactMap(\.latency)
        let low = measured.map(\.p50).filter { $0 > 0 }.min() ?? 1
        let high = max(low, measured.map(\.p99).max() ?? 10)
        let end = buckets.buckets.last?.end ?? 0
        var svg = SVGDocument(
            id: "chart-latency-time", width: frame.width, height: frame.height,
            title: "Latency over time (p50 and p99)",
            description: "Service latency in microseconds on a log scale, p50 and p99 in "
                + "\(ReportFormat.seconds(buckets.bucketSeconds)) steps. Highest p99 \(ReportFormat.micros(high)).")
        let x = frame.xLinear(0, max(end, 1e-9))
        let y = frame.yLog(low, high)
        frame.drawYTicks(y.ticks, at: { y($0) }, label: { ReportFormat.micros($0) }, into: &svg)
        frame.drawXTicks(x.ticks(6), at: { x($0) }, label: { ReportFormat.seconds($0) }, into: &svg)
        frame.drawAxes(into: &svg)
        // One polyline per run of steps that have latency.
        var runs: [[WindowBuckets.Bucket]] = [[]]
        for bucket in buckets.buckets {
            if bucket.latency == nil { if !(runs.last?.isEmpty ?? true) { runs.append([]) } } else { runs[runs.count - 1].append(bucket) }
        }
        for run in runs where !run.isEmpty {
            for (value, className) in [(\ResultDocument.Percentiles.p50, "s1"), (\ResultDocument.Percentiles.p99, "s2")] {
                var points: [(Double, Double)] = []
                for bucket in run {
                    guard let latency = bucket.latency else { continue }
                    points.append((x(bucket.start), y(latency[keyPath: value])))
                    points.append((x(bucket.end), y(latency[keyPath: value])))
                }
                svg.polyline(points, className: "line \(className)")
            }
        }
        svg.text("p50", x: frame.left + 4, y: 16, className: "lbl s1t")
        svg.text("p99", x: frame.left + 60, y: 16, className: "lbl s2t")
        return svg.markup
    }
}
