import HotshardAnalysis
import HotshardProtocols

/// Consecutive time windows grouped into at most `limit` buckets so that charts and their tables
/// stay small for long runs (an hour of 1 s windows becomes 120 buckets of 30 s).
struct WindowBuckets {
    struct Bucket {
        var start: Double
        /// Where the next bucket starts (a first window clamped to the run's start is shorter).
        var end: Double
        /// The nominal length: windows × window seconds; rates divide by this.
        var seconds: Double
        var requests: Int
        /// Requests per key (from each window's top list) in this bucket.
        var counts: [Key: Int]
        /// Latency percentiles: the highest of its windows' (each value is one window's), nil when
        /// none of its windows has latency.
        var latency: ResultDocument.Percentiles? = nil
        /// Windows whose top list was full: a key absent from one of them may still have had
        /// requests there (below the list's last count), so its count there is unknown, not 0.
        var fullWindows = 0
        /// Per key, how many of those full windows listed it.
        var listedInFullWindows: [Key: Int] = [:]

        /// Whether `key`'s count in this bucket is only a lower bound: some full window left it out.
        func isUnknown(_ key: Key) -> Bool { (listedInFullWindows[key] ?? 0) < fullWindows }
    }

    let windowsPerBucket: Int
    let bucketSeconds: Double
    let buckets: [Bucket]

    /// `topPerWindow`: the length of a full top list (the analysis keeps that many keys a window).
    init(_ windows: ResultDocument.Windows, limit: Int, topPerWindow: Int = AnalysisConfiguration().topPerWindow) {
        let series = windows.series
        let per = max(1, (series.count + max(1, limit) - 1) / max(1, limit))
        windowsPerBucket = per
        bucketSeconds = windows.seconds * Double(per)
        var buckets: [Bucket] = []
        buckets.reserveCapacity(series.count / per + 1)
        var index = 0
        while index < series.count {
            let slice = series[index..<min(series.count, index + per)]
            let start = slice.first?.start ?? 0
            let seconds = windows.seconds * Double(slice.count)
            let end = index + per < series.count ? series[index + per].start : start + seconds
            var bucket = Bucket(start: start, end: max(start, end), seconds: seconds, requests: 0, counts: [:])
            for window in slice {
                bucket.requests = bucket.requests.saturatingAdd(window.requests)
                for entry in window.top { bucket.counts[entry.key, default: 0] = (bucket.counts[entry.key] ?? 0).saturatingAdd(entry.count) }
                if window.top.count >= max(1, topPerWindow) {
                    bucket.fullWindows += 1
                    for entry in window.top { bucket.listedInFullWindows[entry.key, default: 0] += 1 }
                }
                if let latency = window.latencyMicros {
                    let worst = bucket.latency ?? latency
                    bucket.latency = .init(
                        p50: max(worst.p50, latency.p50), p90: max(worst.p90, latency.p90),
                        p99: max(worst.p99, latency.p99), max: max(worst.max, latency.max))
                }
            }
            buckets.append(bucket)
            index += per
        }
        self.buckets = buckets
    }
}
