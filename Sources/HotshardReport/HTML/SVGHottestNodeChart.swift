/// The busiest node's utilisation in every window, under today's layout and the recommended one:
/// a flash sale shows as the seconds where today's line climbs far over 100% while the
/// recommended one stays under the target. Dashed lines at the target and at 100%.
struct SVGHottestNodeChart {
    let series: ResultDocument.HottestNodeSeries
    let windowSeconds: Double
    let targetUtilisation: Double

    func render() -> String {
        var frame = ChartFrame()
        frame.height = 220
        frame.top = 28
        let values = series.points.flatMap { [$0.today, $0.recommended].compactMap { $0 } }.filter(\.isFinite)
        // At most 2,000%: beyond that the lines are clipped (the table has the numbers).
        let peak = min(20, max(1.05, (values.max() ?? 0) * 1.05))
        let end = (series.points.last?.start ?? 0) + windowSeconds
        var svg = SVGDocument(
            id: "chart-hottest-node", width: frame.width, height: frame.height,
            title: "Busiest node's utilisation over time",
            description: "Per \(ReportFormat.seconds(windowSeconds)) window: \(Self.name(series.today, "today")); "
                + "\(Self.name(series.recommended, "recommended")). Dashed lines at the target (\(ReportFormat.percent(targetUtilisation))) and 100%."
        )
        let x = frame.xLinear(0, max(end, 1e-9))
        let y = frame.yLinear(0, peak)
        frame.drawYTicks(y.yTicksPercent(peak), at: { y($0) }, label: { ReportFormat.decimal($0 * 100, 0) + "%" }, into: &svg)
        frame.drawXTicks(x.ticks(6), at: { x($0) }, label: { ReportFormat.seconds($0) }, into: &svg)
        frame.drawAxes(into: &svg)
        svg.line(x1: frame.left, y1: y(targetUtilisation), x2: frame.width - frame.right, y2: y(targetUtilisation), className: "limit target")
        if peak >= 1 { svg.line(x1: frame.left, y1: y(1), x2: frame.width - frame.right, y2: y(1), className: "limit full") }
        func steps(_ value: (ResultDocument.HottestNodeSeries.Point) -> Double?) -> [(Double, Double)] {
            series.points.flatMap { point -> [(Double, Double)] in
                guard let v = value(point), v.isFinite else { return [] }
                return [(x(point.start), y(min(v, peak))), (x(point.start + windowSeconds), y(min(v, peak)))]
            }
        }
        if series.today != nil { svg.polyline(steps(\.today), className: "line s2") }
        if series.recommended != nil { svg.polyline(steps(\.recommended), className: "line s1") }
        svg.text(Self.name(series.today, "today"), x: frame.left + 4, y: 16, className: "lbl s2t")
        svg.text(Self.name(series.recommended, "recommended"), x: frame.left + 300, y: 16, className: "lbl s1t")
        return svg.markup
    }

    static func name(_ layout: ResultDocument.HottestNodeSeries.Layout?, _ label: String) -> String {
        guard let layout else { return "\(label): not given" }
        return "\(label): \(layout.scheme), \(layout.nodes) nodes"
    }
}
