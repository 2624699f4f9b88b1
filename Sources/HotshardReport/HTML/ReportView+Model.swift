extension ReportView {
    /// The ring model (per scheme, per node) and the queue model, from the document's model section.
    static func modelView(_ model: ResultDocument.ModelSection) -> Model {
        let recommendedSchemes = Set(model.recommendations.filter { $0.kind == .scheme }.compactMap { recommendation in
            model.schemes.first { recommendation.detail.hasPrefix("use \($0.scheme)") }?.scheme
        })
        let schemes = model.schemes.enumerated().map { index, scheme in
            let hottest = scheme.perNode.sorted { $0.utilisation > $1.utilisation }.prefix(Limits.schemeTableRows)
            let rows = hottest.map { node in
                Row(cells: [Cell(KeyText(text: node.node, limit: 32).short),
                            Cell(ReportFormat.rate(node.rate), exact: ReportFormat.exact(node.rate)),
                            Cell(ReportFormat.percent(node.utilisation), exact: ReportFormat.exact(node.utilisation)),
                            Cell(node.p99Micros.map(ReportFormat.micros) ?? "saturated", exact: ReportFormat.exact(node.p99Micros))])
            }
            let note = scheme.perNode.count > hottest.count
                ? "The \(hottest.count) busiest of \(scheme.perNode.count) nodes." : "Every node, busiest first."
            return Scheme(name: KeyText(text: scheme.scheme, limit: 40).short, nodes: ReportFormat.integer(scheme.nodes),
                          maxOverMean: ReportFormat.decimal(scheme.maxOverMean, 2),
                          recommended: recommendedSchemes.contains(scheme.scheme),
                          chartSVG: SVGNodeLoadChart(scheme: scheme, index: index, targetUtilisation: model.targetUtilisation).render(),
                          rows: rows, rowsNote: note)
        }
        let queueRows = model.schemes.map { scheme in
            let p99s = scheme.perNode.compactMap(\.p99Micros)
            let saturated = scheme.perNode.filter { $0.p99Micros == nil }.count
            let busiest = scheme.perNode.map(\.utilisation).max() ?? 0
            return Row(cells: [Cell(KeyText(text: scheme.scheme, limit: 40).short),
                               Cell(ReportFormat.percent(busiest), exact: ReportFormat.exact(busiest)),
                               Cell(p99s.max().map(ReportFormat.micros) ?? "–", exact: ReportFormat.exact(p99s.max())),
                               Cell(ReportFormat.integer(saturated), exact: ReportFormat.exact(saturated))])
        }
        return Model(capacity: ReportFormat.rate(model.capacityPerNode), target: ReportFormat.percent(model.targetUtilisation),
                     schemes: schemes, queueSVG: SVGQueueChart(model: model).render(), queueRows: queueRows)
    }
}
