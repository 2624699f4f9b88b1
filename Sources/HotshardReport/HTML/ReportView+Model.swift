import HotshardModel

extension ReportView {
    /// The ring model (per scheme, per node) and the queue model, from the document's model section.
    static func modelView(_ model: ResultDocument.ModelSection, windowSeconds: Double, servers: [ResultDocument.ServerEntry]) -> Model {
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
        let capacity =
            model.capacityPerNode.map { ReportFormat.rate($0) }
            ?? "none given (utilisations are relative to the \(ReportFormat.rate(model.effectiveCapacity)) requests/s each node would need)"
        let fairShare = (model.keysOverFairShare ?? []).prefix(Limits.schemeTableRows).map { entry in
            Row(cells: [
                Cell(KeyText(entry.key, limit: 40).short),
                Cell(ReportFormat.rate(entry.rate), exact: ReportFormat.exact(entry.rate)),
                Cell(ReportFormat.decimal(entry.timesFairShare, 2) + "×", exact: ReportFormat.exact(entry.timesFairShare)),
            ])
        }
        return Model(
            capacity: capacity, target: ReportFormat.percent(model.targetUtilisation),
            sizedOn: model.sizedOn.map(sizedOnText) ?? "Sized on the whole run's mean (a result written before the model named its window).",
            today: today, hottest: model.hottestNodeOverTime.map { hottestView($0, windowSeconds: windowSeconds, target: model.targetUtilisation) },
            observed: model.observedLayout.map { observedView($0, servers: servers) },
            fairShareRows: fairShare, hasFairShare: !fairShare.isEmpty, schemes: schemes, queueSVG: SVGQueueChart(model: model).render(),
            queueRows: queueRows)
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

    /// What the model was sized on, in words.
    static func sizedOnText(_ sized: SizingWindow) -> String {
        switch sized.basis {
        case .mean:
            return "Sized on the whole run's mean rate (--rate-basis mean): bursts are averaged away."
        case .peak, .p99:
            let which = sized.basis == .peak ? "the busiest" : "the 99th-percentile"
            return
                "Sized on \(which) \(ReportFormat.seconds(sized.windowSeconds)) window, from \(ReportFormat.seconds(sized.windowStart)) into the run, with every key's rate in that window; each hot key is also checked at its own busiest second."
        }
    }

    /// The busiest node over time and the windows behind it, busiest first.
    static func hottestView(_ series: ResultDocument.HottestNodeSeries, windowSeconds: Double, target: Double) -> Hottest {
        let worst = series.points.sorted { ($0.today ?? $0.recommended ?? 0) > ($1.today ?? $1.recommended ?? 0) }.prefix(Limits.schemeTableRows)
        let rows = worst.map { point in
            Row(cells: [
                Cell(ReportFormat.seconds(point.start), exact: ReportFormat.exact(point.start)),
                Cell(point.today.map(ReportFormat.percent) ?? "–", exact: ReportFormat.exact(point.today)),
                Cell(point.recommended.map(ReportFormat.percent) ?? "–", exact: ReportFormat.exact(point.recommended)),
            ])
        }
        let note =
            series.points.count > rows.count
            ? "The \(rows.count) busiest of \(series.points.count) windows." : "Every window, busiest first."
        return Hottest(
            svg: SVGHottestNodeChart(series: series, windowSeconds: windowSeconds, targetUtilisation: target).render(),
            rows: rows, rowsNote: note)
    }

    /// The servers seen, busiest at the sizing window first, and the hot keys not where today's scheme puts them.
    static func observedView(_ layout: ResultDocument.ObservedLayout, servers: [ResultDocument.ServerEntry]) -> Observed {
        let run = Dictionary(servers.map { ($0.server, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = layout.servers.sorted { $0.rate > $1.rate }.prefix(Limits.schemeTableRows).map { server in
            let entry = run[server.server]
            return Row(cells: [
                Cell(KeyText(text: server.server, limit: 40).short),
                Cell(entry.map { ReportFormat.integer($0.requests) } ?? "–", exact: entry.map { ReportFormat.exact($0.requests) }),
                Cell(ReportFormat.rate(server.rate), exact: ReportFormat.exact(server.rate)),
                Cell(ReportFormat.percent(server.utilisation), exact: ReportFormat.exact(server.utilisation)),
                Cell(entry?.latencyMicros.map { ReportFormat.micros($0.p99) } ?? "–", exact: ReportFormat.exact(entry?.latencyMicros?.p99)),
            ])
        }
        let misplaced = layout.misplaced.prefix(Limits.schemeTableRows).map { key in
            Row(cells: [
                Cell(KeyText(key.key, limit: 40).short), Cell(KeyText(text: key.observed, limit: 40).short),
                Cell(KeyText(text: key.predicted, limit: 40).short),
                Cell(ReportFormat.integer(key.offServerRequests), exact: ReportFormat.exact(key.offServerRequests)),
            ])
        }
        var summary = "The traffic went to \(layout.servers.count) servers: today's layout, as measured."
        if let scheme = layout.checkedScheme {
            summary +=
                layout.misplaced.isEmpty
                ? " All \(layout.checkedKeys) hot keys are where \(KeyText(text: scheme, limit: 40).short) puts them among these servers."
                : " \(layout.misplaced.count) of \(layout.checkedKeys) hot keys are not where \(KeyText(text: scheme, limit: 40).short) puts them among these servers: the layout is not what that scheme predicts (a client with another server list, or keys moved by hand)."
        } else {
            summary += " Give --current-scheme to check every hot key against where that scheme puts it."
        }
        return Observed(summary: summary, serverRows: rows, misplacedRows: misplaced, hasMisplaced: !misplaced.isEmpty)
    }
}
