/// One placement scheme's load per node: a bar per node (in node order) for up to `barLimit`
/// nodes, else the utilisation of every node sorted hottest first as a curve; dashed lines at the
/// target utilisation and at 100%. Draws one layout of a scheme: recommended or today's.
struct SVGNodeLoadChart {
    let id: String
    let schemeName: String
    let layout: ResultDocument.Layout
    let targetUtilisation: Double
    static let barLimit = 128

    func render() -> String {
        var frame = ChartFrame()
        frame.height = 180
        let nodes = layout.perNode
        // At most 2,000%: beyond that the bars are clipped (the table has the numbers).
        let peak = min(20, max(1.05, (nodes.map(\.utilisation).filter(\.isFinite).max() ?? 0) * 1.05))
        var svg = SVGDocument(
            id: id, width: frame.width, height: frame.height,
            title: "Utilisation per node under \(schemeName) with \(layout.nodes) nodes",
            description: "Busiest node at \(ReportFormat.decimal(layout.maxOverMean, 2))× the mean; "
                + "dashed lines at the target utilisation (\(ReportFormat.percent(targetUtilisation))) and 100%.")
        let y = frame.yLinear(0, peak)
        frame.drawYTicks(y.yTicksPercent(peak), at: { y($0) }, label: { ReportFormat.decimal($0 * 100, 0) + "%" }, into: &svg)
        frame.drawAxes(into: &svg)
        if nodes.count <= Self.barLimit {
            let slot = frame.plotWidth / Double(max(nodes.count, 1))
            for (position, node) in nodes.enumerated() {
                let top = y(min(node.utilisation, peak))
                let className = node.utilisation >= 1 ? "bar over" : node.utilisation > targetUtilisation ? "bar warn" : "bar"
                svg.rect(
                    x: frame.left + Double(position) * slot + slot * 0.1, y: top, width: slot * 0.8,
                    height: frame.height - frame.bottom - top, className: className,
                    tooltip: "\(node.node): \(ReportFormat.percent(node.utilisation)), \(ReportFormat.rate(node.rate))/s")
            }
            // Names under the bars when they fit, else every k-th position (names are in the table).
            let step = nodes.count <= 12 ? 1 : max(1, nodes.count / 12)
            for (position, node) in nodes.enumerated() where position % step == 0 {
                let label = nodes.count <= 12 ? KeyText(text: node.node, limit: 10).short : "#\(position)"
                svg.text(
                    label, x: frame.left + (Double(position) + 0.5) * slot,
                    y: frame.height - frame.bottom + 14, anchor: .middle, className: "tick")
            }
        } else {
            let sorted = nodes.map(\.utilisation).sorted(by: >)
            let x = frame.xLinear(0, Double(max(sorted.count - 1, 1)))
            svg.polyline(sorted.enumerated().map { (x(Double($0.offset)), y(min($0.element, peak))) }, className: "line s1")
            svg.text("\(sorted.count) nodes, hottest first", x: frame.width - frame.right, y: frame.height - 8, anchor: .end, className: "tick")
        }
        svg.line(x1: frame.left, y1: y(targetUtilisation), x2: frame.width - frame.right, y2: y(targetUtilisation), className: "limit target")
        svg.line(x1: frame.left, y1: y(1), x2: frame.width - frame.right, y2: y(1), className: "limit full")
        return svg.markup
    }
}

extension ChartFrame.Linear {
    /// Ticks at round percentages up to `peak`.
    func yTicksPercent(_ peak: Double) -> [Double] {
        let step = peak > 8 ? 2 : peak > 2 ? 0.5 : 0.25
        return Swift.stride(from: 0.0, through: peak, by: step).map { $0 }
    }
}
