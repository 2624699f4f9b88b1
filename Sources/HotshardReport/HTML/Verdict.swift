/// The one-sentence verdict and the three numbers that matter: request rate, the hottest key's
/// share, and p99 latency (for a load or replay run the corrected p99, the service p99 beside it).
struct Verdict {
    let sentence: String
    let figures: [ReportView.Figure]

    init(_ document: ResultDocument, confidence: ConfidenceAssessment) {
        let totals = document.totals
        let rate = totals.durationSeconds > 0 ? Double(totals.requests) / totals.durationSeconds : 0
        let top = document.hotKeys.first
        let topTen = document.hotKeys.prefix(10).reduce(0) { $0 + $1.share }
        var sentence: String
        if let top, totals.requests > 0 {
            let name = KeyText(top.key, limit: 40).short
            let share = ReportFormat.percent(top.share)
            if top.share >= 0.2 {
                sentence =
                    "One key dominates: \(name) takes \(share) of key references (\(ReportFormat.rate(top.ratePerSecond))/s); no partitioning spreads a single key, so it needs splitting, replicas or a cache."
            } else if top.share >= 0.05 {
                sentence = "Hot keys present: \(name) takes \(share) of key references and the top 10 take \(ReportFormat.percent(topTen))."
            } else {
                sentence =
                    "No single hot key: the hottest, \(name), takes \(share) of key references and the top 10 take \(ReportFormat.percent(topTen))."
            }
            if let model = document.model,
                let worst = model.schemes.max(by: { $0.maxOverMean < $1.maxOverMean }),
                let best = model.schemes.min(by: { $0.maxOverMean < $1.maxOverMean })
            {
                sentence +=
                    " Modelled: the busiest node runs at \(ReportFormat.decimal(best.maxOverMean, 2))× the mean under \(best.scheme) and \(ReportFormat.decimal(worst.maxOverMean, 2))× under \(worst.scheme)."
            }
        } else {
            sentence =
                "No requests with keys were decoded, so there is nothing to say about hot keys; check the capture health and the protocol ports."
        }
        if confidence.level == .low { sentence += " Low confidence: see capture health." }
        self.sentence = sentence

        var figures = [
            ReportView.Figure(
                id: "rate", label: "requests per second", value: ReportFormat.rate(rate),
                exact: ReportFormat.exact(rate),
                note: "\(ReportFormat.integer(totals.requests)) requests in \(ReportFormat.seconds(totals.durationSeconds))")
        ]
        if let top {
            figures.append(
                .init(
                    id: "top-share", label: "hottest key's share", value: ReportFormat.percent(top.share),
                    exact: ReportFormat.exact(top.share), note: KeyText(top.key, limit: 40).short))
        } else {
            figures.append(.init(id: "top-share", label: "hottest key's share", value: "–", exact: "", note: "no keys"))
        }
        if let corrected = document.latency.corrected {
            // A load or replay run: the latency a request saw from when it was due, stalls included
            // (coordinated omission corrected, as wrk2 reports it), with the server's service time beside it.
            let service = document.latency.service.map { "service p99 \(ReportFormat.micros($0.p99)); " } ?? ""
            figures.append(
                .init(
                    id: "p99", label: "p99 latency (corrected)", value: ReportFormat.micros(corrected.p99),
                    exact: ReportFormat.exact(corrected.p99),
                    note: "\(service)from each request's scheduled time, \(ReportFormat.integer(corrected.count)) requests"))
        } else if let service = document.latency.service {
            figures.append(
                .init(
                    id: "p99", label: "p99 latency", value: ReportFormat.micros(service.p99),
                    exact: ReportFormat.exact(service.p99), note: "\(ReportFormat.integer(service.count)) replies timed"))
        } else {
            figures.append(.init(id: "p99", label: "p99 latency", value: "–", exact: "", note: "no replies were paired"))
        }
        self.figures = figures
    }
}
