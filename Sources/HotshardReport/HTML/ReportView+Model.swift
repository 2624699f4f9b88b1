extension ReportView {
    /// The ring model (per scheme, per node) and the queue model, from the document's model section.
    static func modelView(_ model: ResultDocument.ModelSection) -> Model {
        let recommendedSchemes = Set(
            model.recommendations.filter { $0.kind == .scheme }.compactMap { recommendation in
                model.schemes.first { recommendation.detail.hasPrefix("use \($0.scheme)") }?.scheme
            })
        let schemes = model.schemes.enumerated().map { index, scheme in
            let recommended = side(scheme.scheme, scheme.layout, id: "chart-ring-\(index)", target: model.targetUtilisation)
            return Scheme(
                name: KeyText(text: scheme.scheme, limit: 40).short, nodes: ReportFormat.integer(scheme.nodes),
                maxOverMean: ReportFormat.decimal(scheme.maxOverMean, 2),
                recommended: recommendedSchemes.contains(scheme.scheme),
                inUse: model.currentScheme == scheme.scheme,
                chartSVG: recommended.chartSVG, rows: recommended.rows, rowsNote: recommended.rowsNote,
                current: scheme.current.map { side(scheme.scheme, $0, id: "chart-ring-\(index)-current", target: model.targetUtilisation) },
                hasCurrent: scheme.current != nil)
        }
        let queueRows = model.schemes.map { scheme in
            let p99s = scheme.perNode.compactMap(\.p99Micros)
            let saturated = scheme.perNode.filter { $0.p99Micros == nil }.count
            let busiest = scheme.perNode.map(\.utilisation).max() ?? 0
            return Row(cells: [
                Cell(KeyText(text: scheme.scheme, limit: 40).short),
                Cell(ReportFormat.percent(busiest), exact: ReportFormat.exact(busiest)),
                Cell(p99s.max().map(ReportFormat.micros) ?? "–", exact: ReportFormat.exact(p99s.max())),
                Cell(ReportFormat.integer(saturated), exact: ReportFormat.exact(saturated)),
            ])
        }
        let today =
            model.currentNodes.map { nodes in
                "Today: \(ReportFormat.integer(nodes)) nodes" + (model.currentScheme.map { " under \(KeyText(text: $0, limit: 40).short)" } ?? "")
                    + ". Each scheme's load there is drawn beside its recommended layout."
            }
            ?? "Today's layout is not in this result: give plan --current-nodes (and --current-scheme) to draw each scheme's load there beside the recommended one."
        return Model(
            capacity: ReportFormat.rate(model.capacityPerNode), target: ReportFormat.percent(model.targetUtilisation),
            today: today, schemes: schemes, queueSVG: SVGQueueChart(model: model).render(), queueRows: queueRows)
    }

    /// One layout of a scheme: its chart and the table behind it (the busiest nodes).
    static func side(_ scheme: String, _ layout: ResultDocument.Layout, id: String, target: Double) -> Side {
        let hottest = layout.perNode.sorted { $0.utilisation > $1.utilisation }.prefix(Limits.schemeTableRows)
        let rows = hottest.map { node in
            Row(cells: [
                Cell(KeyText(text: node.node, limit: 32).short),
                Cell(ReportFormat.rate(node.rate), exact: ReportFormat.exact(node.rate)),
                Cell(ReportFormat.percent(node.utilisation), exact: ReportFormat.exact(node.utilisation)),
                Cell(node.p99Micros.map(ReportFormat.micros) ?? "saturated", exact: ReportFormat.exact(node.p99Micros)),
            ])
        }
        let note =
            layout.perNode.count > hottest.count
            ? "The \(hottest.count) busiest of \(layout.perNode.count) nodes." : "Every node, busiest first."
        return Side(
            nodes: ReportFormat.integer(layout.nodes), maxOverMean: ReportFormat.decimal(layout.maxOverMean, 2),
            chartSVG: SVGNodeLoadChart(id: id, schemeName: scheme, layout: layout, targetUtilisation: target).render(),
            rows: rows, rowsNote: note)
    }
}
