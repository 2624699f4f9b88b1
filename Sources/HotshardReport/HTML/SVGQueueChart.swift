import HotshardModel

/// Predicted p99 against utilisation: the M/M/1 curve for one node at the model's capacity (a
/// reference; the plan may have used M/M/c or M/G/1), and each scheme's nodes as points where
/// the model placed them. Log scale for latency.
struct SVGQueueChart {
    let model: ResultDocument.ModelSection

    /// p99 of an M/M/1 node at utilisation `rho`, in µs; nil when saturated.
    static func referenceP99Micros(capacity: Double, utilisation rho: Double) -> Double? {
        let prediction = QueueModel(kind: .mm1, arrivalRate: rho * capacity, serviceRate: capacity).predict()
        return prediction.p99Seconds.map { $0 * 1_000_000 }
    }

    func render() -> String {
        var frame = ChartFrame()
        frame.height = 240
        let capacity = max(model.effectiveCapacity, 1e-9)
        let curve = stride(from: 0.0, through: 0.98, by: 0.02).compactMap { rho in
            Self.referenceP99Micros(capacity: capacity, utilisation: rho).map { (rho, $0) }
        }
        let nodePoints = model.schemes.enumerated().flatMap { index, scheme in
            scheme.perNode.prefix(256).compactMap { node in node.p99Micros.map { (index, node, $0) } }
        }
        let latencies = curve.map(\.1) + nodePoints.map(\.2)
        var svg = SVGDocument(
            id: "chart-queue", width: frame.width, height: frame.height,
            title: "Predicted p99 latency against utilisation",
            description: "Line: M/M/1 reference for one node serving \(ReportFormat.rate(capacity)) requests/s. "
                + "Points: the nodes of each scheme (saturated nodes have no p99 and are not drawn).")
        let x = frame.xLinear(0, 1)
        let y = frame.yLog(latencies.min() ?? 1, latencies.max() ?? 10)
        frame.drawYTicks(y.ticks, at: { y($0) }, label: { ReportFormat.micros($0) }, into: &svg)
        frame.drawXTicks([0, 0.25, 0.5, 0.75, 1], at: { x($0) }, label: { ReportFormat.percent($0) }, into: &svg)
        frame.drawAxes(into: &svg)
        svg.polyline(curve.map { (x($0.0), y($0.1)) }, className: "line ref")
        svg.line(
            x1: x(model.targetUtilisation), y1: frame.top, x2: x(model.targetUtilisation), y2: frame.height - frame.bottom,
            className: "limit target")
        for (index, node, p99) in nodePoints {
            svg.circle(
                cx: x(min(node.utilisation, 1)), cy: y(p99), r: 3, className: "dot s\(index % 6 + 1)",
                tooltip: "\(model.schemes[index].scheme) \(node.node): \(ReportFormat.percent(node.utilisation)), p99 \(ReportFormat.micros(p99))")
        }
        return svg.markup
    }
}
