import Foundation
import HotshardProtocols

extension ReportView {
    /// Limits that keep the page small for long runs (see the size test).
    enum Limits {
        static let heatRows = 20
        static let heatColumns = 120
        static let trafficBuckets = 240
        static let schemeTableRows = 16
        /// Keys whose remedies the page lists; the JSON has every one.
        static let remedyKeys = 20
    }

    /// Every recommendation not about one key, and those of the first `Limits.remedyKeys` keys;
    /// with how many keys were left out.
    static func shownRecommendations(_ all: [ResultDocument.Recommendation]) -> ([ResultDocument.Recommendation], Int) {
        var keys: [Key] = []
        var shown: [ResultDocument.Recommendation] = []
        var hidden = Set<Key>()
        for recommendation in all {
            guard let key = recommendation.key else { shown.append(recommendation); continue }
            if !keys.contains(key) {
                if keys.count >= Limits.remedyKeys { hidden.insert(key); continue }
                keys.append(key)
            }
            shown.append(recommendation)
        }
        return (shown, hidden.count)
    }

    /// The view of a document, every string from the input escaped by `KeyText` and later by the
    /// template.
    init(_ document: ResultDocument) {
        let confidence = ConfidenceAssessment(document)
        let verdict = Verdict(document, confidence: confidence)
        let inputs = document.source.inputs.map { KeyText(text: $0).full }
        let names = document.source.inputs.map { KeyText(text: URL(fileURLWithPath: $0).lastPathComponent, limit: 60).short }
        title =
            "Hotshard report: "
            + (names.isEmpty
                ? document.source.kind.rawValue : names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : ""))
        toolVersion = "\(KeyText(text: document.tool.name).full) \(KeyText(text: document.tool.version).full)"
        schemaVersion = String(document.schemaVersion)
        sourceKind = document.source.kind.rawValue
        sourceInputs = inputs
        let totals = document.totals
        let tracking = document.tracking
        measured =
            "\(ReportFormat.integer(totals.requests)) requests naming \(ReportFormat.integer(totals.keyReferences)) keys over \(ReportFormat.seconds(totals.durationSeconds)), "
            + "\(ReportFormat.integer(tracking.distinctKeys))\(tracking.distinctKeysEstimated ? " (estimated)" : "") distinct keys, "
            + (tracking.exact ? "every count exact." : "counts with error bounds (\(ReportFormat.integer(tracking.capacity)) keys tracked).")
        self.verdict = verdict.sentence
        figures = verdict.figures
        redaction = document.redaction?.sentence
        confidenceLevel = confidence.level.rawValue
        confidenceSummary = confidence.summary
        confidenceFindings = confidence.findings

        hotKeyRows = Self.hotKeyRows(document.hotKeys)
        hotKeysNote =
            (tracking.exact
                ? "Counts are exact (error bound 0 ✓)."
                : "Counts are upper bounds: the true count lies between count − error bound and count. ✓ marks keys certainly in this ranking.")
            + (document.hotKeys.contains { $0.measuredFrom != nil }
                ? " * Reads, writes, bytes, hit ratio, p99 and clients of a key marked * were measured from a later request (shown on the mark), when it became a candidate for the top; its count covers every request."
                : "")
        let buckets = WindowBuckets(document.windows, limit: Limits.heatColumns)
        heat = Self.heatChart(document, buckets: buckets)
        traffic = Self.trafficChart(document)
        latency = Self.latencyChart(document.latency)
        latencyOverTime = Self.latencyOverTimeChart(document)
        latencyByCommand = (document.latencyByCommand ?? [:]).sorted { $0.value.count > $1.value.count }.map { name, summary in
            Row(cells: [Cell(KeyText(text: name, limit: 32).short)] + Self.latencyCells(summary))
        }
        prefixes = (document.prefixGroups ?? []).prefix(50).map { group in
            Row(cells: [
                Cell(KeyText(group.prefix).short), Cell(ReportFormat.integer(group.count), exact: ReportFormat.exact(group.count)),
                Cell(ReportFormat.percent(group.share), exact: ReportFormat.exact(group.share)),
                Cell(ReportFormat.integer(group.errorBound), exact: ReportFormat.exact(group.errorBound)),
            ])
        }
        emerging = (document.emerging ?? []).prefix(50).map { key in
            Row(cells: [
                Cell(KeyText(key.key).short), Cell(ReportFormat.seconds(key.hotSinceSeconds), exact: ReportFormat.exact(key.hotSinceSeconds)),
                Cell(key.coolSinceSeconds.map(ReportFormat.seconds) ?? "still hot", exact: ReportFormat.exact(key.coolSinceSeconds)),
                Cell(ReportFormat.percent(key.shareWhenHot), exact: ReportFormat.exact(key.shareWhenHot)),
                Cell(ReportFormat.decimal(key.baselinePerWindow, 1), exact: ReportFormat.exact(key.baselinePerWindow)),
            ])
        }
        if let popularity = document.popularity {
            var text =
                "The top 1, 10 and 100 keys carry \(ReportFormat.percent(popularity.top1Share)), \(ReportFormat.percent(popularity.top10Share)) and \(ReportFormat.percent(popularity.top100Share)) of key references."
            if let exponent = popularity.zipfExponent {
                text += " Popularity follows a Zipf law with exponent \(ReportFormat.decimal(exponent, 2))"
                text += popularity.zipfFitR2.map { " (fit R² \(ReportFormat.decimal($0, 3)))." } ?? "."
            }
            self.popularity = text
        } else {
            popularity = nil
        }
        model = document.model.map { Self.modelView($0, windowSeconds: document.windows.seconds, servers: document.servers ?? []) }
        let (shownRecommendations, hiddenKeys) = Self.shownRecommendations(document.model?.recommendations ?? [])
        recommendationsNote =
            hiddenKeys > 0
            ? "The remedies for \(hiddenKeys) more keys are in the result's JSON (model.recommendations)." : nil
        recommendations = shownRecommendations.map { recommendation in
            let key = recommendation.key.map { KeyText($0) }
            return Recommendation(
                kind: recommendation.kind.rawValue, key: key?.short ?? "", hasKey: key != nil,
                keyFull: key?.full ?? "",
                factor: Self.factorText(recommendation),
                detail: KeyText(text: recommendation.detail).full)
        }
        health = Self.healthRows(document)
        configuration = Self.configurationPairs(document)
        self.totals = Self.totalPairs(totals)
        hasPrefixes = !prefixes.isEmpty
        queues = Self.queueRows(document)
        hasQueues = !queues.isEmpty
        hasEmerging = !emerging.isEmpty
        hasRecommendations = !recommendations.isEmpty
        hasLatencyByCommand = !latencyByCommand.isEmpty
        pool = Self.poolView(document)
        if let replay = document.replay {
            let skipped = replay.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            replayNote =
                "\(replay.timing), \(replay.passes) pass(es) of \(ReportFormat.integer(replay.requestsPerPass)) requests "
                + "over \(ReportFormat.seconds(replay.captureSpanSeconds)) of capture, \(replay.originalConnections) → "
                + "\(replay.replayConnections) connections" + (skipped.isEmpty ? "." : "; not replayed: \(skipped).")
            replayByCommand = replay.byCommand.map { Self.comparisonRow(KeyText(text: $0.command ?? "?", limit: 32).short, $0) }
            replayHotKeys = replay.hotKeys.prefix(50).map { row in
                let bytes = row.key.map { Array($0.utf8) } ?? row.keyBase64.flatMap { Base64.decode($0) } ?? []
                return Self.comparisonRow(KeyText(bytes: bytes).short, row)
            }
        }
    }

    /// name, then count, p50 and p99 in the capture, then the same in the replay.
    static func comparisonRow(_ name: String, _ row: ResultDocument.ReplaySection.Comparison) -> Row {
        func micros(_ value: Double?) -> Cell {
            value.map { Cell(ReportFormat.micros($0), exact: ReportFormat.exact($0)) } ?? Cell("—")
        }
        return Row(cells: [
            Cell(name),
            Cell(ReportFormat.integer(row.captureCount), exact: ReportFormat.exact(row.captureCount)),
            micros(row.capture?.p50), micros(row.capture?.p99),
            Cell(ReportFormat.integer(row.replayCount), exact: ReportFormat.exact(row.replayCount)),
            micros(row.replay?.p50), micros(row.replay?.p99),
        ])
    }

    /// What a recommendation's factor means for its kind: nodes, sub-keys, replicas or a cache TTL.
    static func factorText(_ recommendation: ResultDocument.Recommendation) -> String? {
        guard let factor = recommendation.factor, factor.isFinite else { return nil }
        switch recommendation.kind {
        case .nodes: return ReportFormat.decimal(factor, 0) + " nodes"
        case .split, .replicate: return "×" + ReportFormat.decimal(factor, factor == factor.rounded() ? 0 : 2)
        case .cache: return "TTL " + ReportFormat.micros(factor * 1_000_000)
        case .scheme: return nil
        }
    }

    /// Key characters shown in the hot-key table (the whole key is its cell's title): with the
    /// table's 13 number columns it fits a 1280 px window.
    static let hotKeyTableKeyLimit = 32

    static func hotKeyRows(_ entries: [ResultDocument.HotKeyEntry]) -> [HotKeyRow] {
        var cumulative = 0.0
        return entries.enumerated().map { index, entry in
            cumulative += entry.share
            let key = KeyText(entry.key, limit: hotKeyTableKeyLimit)
            // A queue's deliveries acknowledged are not cache hits: no hit ratio for AMQP keys.
            let lookups = entry.wireProtocol == "amqp" ? 0 : entry.hits.saturatingAdd(entry.misses)
            let hitRatio: Double? = lookups > 0 ? Double(entry.hits) / Double(lookups) : nil
            let bytes = entry.requestBytes.saturatingAdd(entry.replyBytes)
            let p99 = entry.latencyMicros?.p99
            return HotKeyRow(
                rank: index + 1, keyShort: key.short, keyFull: key.full, shortened: key.isShortened,
                wireProtocol: KeyText(text: entry.wireProtocol, limit: 16).short,
                count: ReportFormat.integer(entry.count), countExact: ReportFormat.exact(entry.count),
                share: ReportFormat.percent(entry.share), shareExact: ReportFormat.exact(entry.share),
                cumulative: ReportFormat.percent(cumulative), cumulativeExact: ReportFormat.exact(cumulative),
                reads: ReportFormat.integer(entry.reads), readsExact: ReportFormat.exact(entry.reads),
                writes: ReportFormat.integer(entry.writes), writesExact: ReportFormat.exact(entry.writes),
                bytes: ReportFormat.bytes(bytes), bytesExact: ReportFormat.exact(bytes),
                bytesDetail: "requests \(ReportFormat.bytes(entry.requestBytes)), replies \(ReportFormat.bytes(entry.replyBytes))",
                largest: ReportFormat.bytes(entry.maxReplyBytes), largestExact: ReportFormat.exact(entry.maxReplyBytes),
                hitRatio: hitRatio.map(ReportFormat.percent) ?? "–", hitRatioExact: ReportFormat.exact(hitRatio),
                p99: p99.map(ReportFormat.micros) ?? "–", p99Exact: ReportFormat.exact(p99),
                clients: ReportFormat.integer(entry.clients), clientsExact: ReportFormat.exact(entry.clients),
                errorBound: ReportFormat.integer(entry.errorBound), errorBoundExact: ReportFormat.exact(entry.errorBound),
                guaranteed: entry.guaranteed,
                hotSince: entry.hotSince.map(ReportFormat.seconds) ?? "–", hotSinceExact: ReportFormat.exact(entry.hotSince),
                measuredFrom: entry.measuredFrom.map {
                    "from request \(ReportFormat.integer($0)) of \(ReportFormat.integer(entry.count))"
                } ?? "")
        }
    }

    static func heatChart(_ document: ResultDocument, buckets: WindowBuckets) -> Chart? {
        guard !buckets.buckets.isEmpty, !document.hotKeys.isEmpty else { return nil }
        let rows = document.hotKeys.prefix(Limits.heatRows).map { ($0.key, KeyText($0.key, limit: 30)) }
        let svg = SVGHeatmap(buckets: buckets, rows: rows).render()
        let header = ["key"] + buckets.buckets.map { ReportFormat.seconds($0.start) }
        let tableRows = rows.map { key, label in
            Row(
                cells: [Cell(label.short)]
                    + buckets.buckets.map { bucket in
                        let count = bucket.counts[key] ?? 0
                        // Out of a window's top list: unknown ("?"), or at least what the other windows listed.
                        if bucket.isUnknown(key) { return Cell(count == 0 ? "?" : "≥" + ReportFormat.integer(count)) }
                        return Cell(count == 0 ? "" : ReportFormat.integer(count), exact: ReportFormat.exact(count))
                    })
        }
        let caption =
            "Requests per key in each \(ReportFormat.seconds(buckets.bucketSeconds)) step"
            + (buckets.windowsPerBucket > 1
                ? " (\(buckets.windowsPerBucket) windows of \(ReportFormat.seconds(document.windows.seconds)) each)." : ".")
            + " Counts come from each window's top list: where a key fell out of a full list its count there is"
            + " not known (a dashed outline; \"?\" or \"≥n\" in the table), which is not the same as no requests."
        return Chart(svg: svg, caption: caption, header: header, rows: tableRows)
    }

    static func trafficChart(_ document: ResultDocument) -> Chart? {
        let buckets = WindowBuckets(document.windows, limit: Limits.trafficBuckets)
        guard !buckets.buckets.isEmpty else { return nil }
        let hotCount = min(10, document.hotKeys.count)
        let hot = Set(document.hotKeys.prefix(hotCount).map(\.key))
        let svg = SVGTrafficChart(buckets: buckets, hotKeys: hot, hotKeyCount: hotCount).render()
        let rows = buckets.buckets.map { bucket in
            let hotRequests = bucket.counts.reduce(0) { hot.contains($1.key) ? $0.saturatingAdd($1.value) : $0 }
            let seconds = max(bucket.seconds, 1e-9)
            return Row(cells: [
                Cell(ReportFormat.seconds(bucket.start), exact: ReportFormat.exact(bucket.start)),
                Cell(ReportFormat.integer(bucket.requests), exact: ReportFormat.exact(bucket.requests)),
                Cell(ReportFormat.rate(Double(bucket.requests) / seconds)),
                Cell(ReportFormat.integer(hotRequests), exact: ReportFormat.exact(hotRequests)),
            ])
        }
        let caption = "Requests in each \(ReportFormat.seconds(buckets.bucketSeconds)) step, and those to the top \(hotCount) keys."
        return Chart(svg: svg, caption: caption, header: ["start", "requests", "per second", "top \(hotCount) keys"], rows: rows)
    }

    static func latencyOverTimeChart(_ document: ResultDocument) -> Chart? {
        let buckets = WindowBuckets(document.windows, limit: Limits.trafficBuckets)
        guard buckets.buckets.contains(where: { $0.latency != nil }) else { return nil }
        let rows = buckets.buckets.compactMap { bucket -> Row? in
            guard let latency = bucket.latency else { return nil }
            return Row(
                cells: [Cell(ReportFormat.seconds(bucket.start), exact: ReportFormat.exact(bucket.start))]
                    + [latency.p50, latency.p90, latency.p99, latency.max].map { Cell(ReportFormat.micros($0), exact: ReportFormat.exact($0)) })
        }
        let caption =
            "Service latency in each \(ReportFormat.seconds(buckets.bucketSeconds)) step"
            + (buckets.windowsPerBucket > 1 ? ": the highest of its \(buckets.windowsPerBucket) windows' values." : ".")
            + " p50, p90 and p99 are the upper bounds of histogram buckets (at most 1% above the true value); max is exact."
        return Chart(
            svg: SVGLatencyTimeChart(buckets: buckets).render(), caption: caption,
            header: ["start", "p50", "p90", "p99", "max"], rows: rows)
    }

    static func latencyCells(_ summary: ResultDocument.LatencySummary) -> [Cell] {
        [summary.p50, summary.p90, summary.p99, summary.p999, summary.max].map {
            Cell(ReportFormat.micros($0), exact: ReportFormat.exact($0))
        } + [Cell(ReportFormat.integer(summary.count), exact: ReportFormat.exact(summary.count))]
    }

    static func latencyChart(_ latency: ResultDocument.Latency) -> Chart? {
        var series: [SVGPercentileChart.Series] = []
        if let service = latency.service { series.append(.init(name: latency.corrected == nil ? "service" : "uncorrected", summary: service)) }
        if let corrected = latency.corrected { series.append(.init(name: "corrected", summary: corrected)) }
        guard !series.isEmpty else { return nil }
        let rows = series.map { Row(cells: [Cell($0.name)] + latencyCells($0.summary)) }
        let caption =
            latency.corrected == nil
            ? "Service latency: from a request's last byte to its reply's first byte, as seen where the capture was taken."
            : "Uncorrected: from the actual send; corrected: from the intended send time, which counts the wait that coordinated omission hides."
        return Chart(
            svg: SVGPercentileChart(series: series).render(), caption: caption,
            header: ["series", "p50", "p90", "p99", "p99.9", "max", "replies"], rows: rows)
    }
}
