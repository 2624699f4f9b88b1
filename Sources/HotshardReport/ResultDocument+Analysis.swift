import HotshardAnalysis
import HotshardCapture
import HotshardProtocols

extension ResultDocument {
    /// The result of an analysis: totals, the top `topKeys` hot keys with their bounds, windows,
    /// latency, prefix groups, emerging keys and the mergeable summary state.
    public init(
        analysis: AnalysisSnapshot, capture: CaptureHealth, source: Source, topKeys: Int,
        protocolHealth: ParserHealth? = nil, inputProblems: [String] = []
    ) {
        let totals = analysis.totals
        let documentTotals = Totals(
            requests: totals.requests, replies: totals.replies, keyReferences: totals.keyReferences,
            errors: totals.errors, durationSeconds: totals.durationSeconds, byProtocol: totals.byProtocol,
            byCommand: totals.byCommand, byStatus: totals.byStatus)
        let distinct = analysis.distinctKeys
        let tracking = Tracking(
            capacity: analysis.configuration.capacity, exact: analysis.exact,
            distinctKeys: distinct.count, distinctKeysEstimated: distinct.estimated)
        let emerging = analysis.emergingKeys()
        let emergingByKey = Dictionary(emerging.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let hotKeys = analysis.hotKeys(limit: topKeys).map { hot in
            var entry = HotKeyEntry(
                key: hot.key, wireProtocol: hot.wireProtocol, count: hot.count, errorBound: hot.errorBound,
                guaranteed: hot.guaranteed, reads: hot.reads, writes: hot.writes, requestBytes: hot.requestBytes,
                replyBytes: hot.replyBytes, maxReplyBytes: hot.maxReplyBytes, hits: hot.hits, misses: hot.misses,
                errors: hot.errors, ratePerSecond: hot.ratePerSecond, peakRatePerSecond: hot.peakRatePerSecond,
                share: hot.share,
                latencyMicros: hot.latencyMicros.map { Percentiles(p50: $0.p50, p90: $0.p90, p99: $0.p99, max: $0.max) },
                clients: hot.clients, topClientShare: hot.topClientShare,
                hotSince: emergingByKey[hot.key]?.hotSinceSeconds, coolSince: emergingByKey[hot.key]?.coolSinceSeconds)
            entry.statisticsSince = hot.statisticsSince
            if !analysis.servers.isEmpty {
                entry.server = hot.server
                entry.offServerRequests = hot.offServerRequests
                entry.otherServer = hot.otherServer
            }
            return entry
        }
        let service = analysis.serviceLatency.map(LatencySummary.init)
        let windowStartOffset = Double(analysis.windowOriginNanos - totals.firstNanos) / 1e9
        let windows = Windows(
            seconds: analysis.windowSeconds,
            series: zip(analysis.windowSeries, analysis.windowLatencies).map { window, latency in
                Window(
                    start: max(0, window.startSeconds + windowStartOffset), requests: window.requests,
                    top: window.top.map { WindowKeyCount(key: $0.key, count: $0.count) },
                    latencyMicros: latency.map { Percentiles(p50: $0.p50, p90: $0.p90, p99: $0.p99, max: $0.max) })
            })
        self.init(
            source: source, capture: capture, totals: documentTotals, tracking: tracking, hotKeys: hotKeys,
            latency: Latency(service: service), windows: windows)
        let referenceTotal = Double(max(1, totals.keyReferences))
        prefixGroups = analysis.prefixes.prefix(100).map {
            PrefixGroup(prefix: $0.prefix, count: $0.count, errorBound: $0.error, share: Double($0.count) / referenceTotal)
        }
        self.emerging = emerging
        popularity = analysis.popularity()
        latencyByCommand = analysis.latencyByCommand.mapValues(LatencySummary.init)
        self.protocolHealth = protocolHealth
        self.inputProblems = inputProblems.isEmpty ? nil : inputProblems
        summaryState = analysis
        let flows = analysis.queueFlows(windowsFor: max(1, topKeys))
        if !flows.isEmpty {
            // As many queues as hot keys: each carries a row per window.
            queues = flows.prefix(max(1, topKeys)).map {
                QueueEntry($0, durationSeconds: totals.durationSeconds, startOffset: windowStartOffset)
            }
            if flows.count > max(1, topKeys) { queuesOmitted = flows.count - max(1, topKeys) }
            if let dropped = analysis.queueBindings?.dropped, dropped > 0 { queueBindingsDropped = dropped }
        }
        if !analysis.servers.isEmpty {
            var hotOn: [String: Int] = [:]
            for entry in hotKeys { if let server = entry.server { hotOn[server, default: 0] += 1 } }
            servers = analysis.servers.map { load in
                ServerEntry(
                    server: load.server, requests: load.requests, keyReferences: load.keyReferences,
                    requestBytes: load.requestBytes, replyBytes: load.replyBytes, errors: load.errors,
                    latencyMicros: load.latencyMicros.map { ServerLatency(p50: $0.p50, p99: $0.p99, max: $0.max) },
                    hotKeys: hotOn[load.server] ?? 0)
            }
        }
    }
}

extension ResultDocument.LatencySummary {
    init(_ summary: AnalysisSnapshot.LatencySummary) {
        self.init(
            p50: summary.p50, p90: summary.p90, p99: summary.p99, p999: summary.p999, max: summary.max,
            count: summary.count)
    }
}
