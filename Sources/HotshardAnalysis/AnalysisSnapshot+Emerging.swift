import HotshardProtocols

/// A key that became hot during the run (see `AnalysisConfiguration.emergingRateMultiple`).
public struct EmergingKey: Sendable, Codable, Equatable {
    public var key: Key
    /// Seconds from the start of the run to the start of the window where it turned hot.
    public var hotSinceSeconds: Double
    /// Start of the first later window where it cooled; nil when still hot at the end.
    public var coolSinceSeconds: Double?
    /// Its share of the requests in the window where it turned hot.
    public var shareWhenHot: Double
    /// Its mean count per window before it turned hot.
    public var baselinePerWindow: Double
}

extension AnalysisSnapshot {
    /// Keys that turned hot: in some window w (after the warm-up windows) the key's count reaches
    /// `emergingRateMultiple` × its mean count over the windows before w, at least
    /// `emergingMinimumRequests`, and `emergingShare` of w's requests. It cools in the first later
    /// window where its share drops below half of `emergingShare`. Counts come from each window's top keys
    /// (a key absent from a window's top list counts 0 there).
    public func emergingKeys() -> [EmergingKey] {
        let config = configuration
        let series = windows
        var perKey: [Key: [Int: Int]] = [:]
        for (index, window) in series.enumerated() {
            for entry in window.top { perKey[entry.key, default: [:]][index] = entry.count }
        }
        var result: [EmergingKey] = []
        for (key, counts) in perKey {
            var sum = 0
            var hotAt: Int?
            var baseline = 0.0
            for index in series.indices {
                let count = counts[index] ?? 0
                let requests = series[index].requests
                if hotAt == nil, index >= config.emergingWarmupWindows, requests > 0 {
                    let mean = Double(sum) / Double(index)
                    let share = Double(count) / Double(requests)
                    if count >= config.emergingMinimumRequests, share >= config.emergingShare,
                        Double(count) >= config.emergingRateMultiple * max(mean, 1)
                    {
                        hotAt = index
                        baseline = mean
                        var cool: Int?
                        for later in (index + 1)..<max(index + 1, series.count) {
                            let laterRequests = series[later].requests
                            let laterShare = laterRequests > 0 ? Double(counts[later] ?? 0) / Double(laterRequests) : 0
                            if laterShare < config.emergingShare / 2 {
                                cool = later
                                break
                            }
                        }
                        result.append(
                            EmergingKey(
                                key: key, hotSinceSeconds: Double(index) * windowSeconds,
                                coolSinceSeconds: cool.map { Double($0) * windowSeconds },
                                shareWhenHot: share, baselinePerWindow: baseline))
                    }
                }
                sum += count
            }
        }
        return result.sorted {
            $0.hotSinceSeconds != $1.hotSinceSeconds
                ? $0.hotSinceSeconds < $1.hotSinceSeconds : $0.key < $1.key
        }
    }
}
