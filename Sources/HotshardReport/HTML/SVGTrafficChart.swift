import HotshardProtocols

/// Requests per second over the run (an area), and the part of them that went to the hottest keys
/// (a line): shows whether the heat is steady or comes in bursts. Rates are requests per
/// nominal window length, drawn from each window's start to the next one's.
struct SVGTrafficChart {
    let buckets: WindowBuckets
    let hotKeys: Set<Key>
    let hotKeyCount: Int

    func render() -> String {
        var frame = ChartFrame()
        frame.height = 236
        frame.top = 28
        let points = buckets.buckets.map { bucket -> (start: Double, end: Double, total: Double, hot: Double) in
            let seconds = max(bucket.seconds, 1e-9)
            let hot = bucket.counts.reduce(0) { hotKeys.contains($1.key) ? $0.saturatingAdd($1.value) : $0 }
            return (bucket.start, bucket.end, Double(bucket.requests) / seconds, Double(hot) / seconds)
        }
        let end = points.last?.end ?? 0
        let peak = max(1, points.map(\.total).max() ?? 1)
        var svg = SVGDocument(
            id: "chart-traffic", width: frame.width, height: frame.height,
            title: "Requests per second over time",
            description: "Area: all requests per second in \(ReportFormat.seconds(buckets.bucketSeconds)) steps. "
                + "Line: requests per second to the top \(hotKeyCount) hot keys. Peak \(ReportFormat.rate(peak))/s.")
        let x = frame.xLinear(0, max(end, 1e-9))
        let yTicks = frame.yLinear(0, peak).ticks(4)
        let y = frame.yLinear(0, max(peak, yTicks.last ?? peak))
        frame.drawYTicks(yTicks, at: { y($0) }, label: { ReportFormat.rate($0) }, into: &svg)
        frame.drawXTicks(x.ticks(6), at: { x($0) }, label: { ReportFormat.seconds($0) }, into: &svg)
        frame.drawAxes(into: &svg)
        // Each bucket is a step: the rate holds from its start to its end.
        var area: [(Double, Double)] = [(x(0), y(0))]
        var hotLine: [(Double, Double)] = []
        for point in points {
            let x0 = x(point.start), x1 = x(point.end)
            area.append((x0, y(point.total)))
            area.append((x1, y(point.total)))
            hotLine.append((x0, y(point.hot)))
            hotLine.append((x1, y(point.hot)))
        }
        area.append((x(end), y(0)))
        if !points.isEmpty {
            svg.polygon(area, className: "area s1")
            svg.polyline(hotLine, className: "line s2")
        }
        svg.text("requests/s", x: frame.left + 4, y: 16, className: "lbl s1t")
        svg.text("top \(hotKeyCount) keys", x: frame.left + 90, y: 16, className: "lbl s2t")
        return svg.markup
    }
}
