import HotshardProtocols

/// Per-window totals, top keys and latency over time, in bounded memory: when the number of
/// windows exceeds the budget, adjacent pairs merge (the window length doubles); totals stay exact
/// and latency histograms add up.
struct WindowSeries: Sendable {
    struct Window: Codable, Sendable {
        var requests = 0
        var top: [KeyCount] = []
        /// Latency of the window's paired requests (empty, 0 bytes, when none was paired).
        var latency = LogHistogram()

        init(requests: Int = 0, top: [KeyCount] = [], latency: LogHistogram = LogHistogram()) {
            self.requests = requests
            self.top = top
            self.latency = latency
        }

        private enum CodingKeys: String, CodingKey { case requests, top, latency }

        /// Summary states written before windows had latency read with an empty histogram.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            requests = try container.decode(Int.self, forKey: .requests)
            top = try container.decode([KeyCount].self, forKey: .top)
            latency = try container.decodeIfPresent(LogHistogram.self, forKey: .latency) ?? LogHistogram()
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(requests, forKey: .requests)
            try container.encode(top, forKey: .top)
            if latency.total > 0 { try container.encode(latency, forKey: .latency) }
        }
    }

    struct KeyCount: Codable, Sendable {
        var key: Key
        var count: Int
    }

    private(set) var originNanos: Int64?
    private(set) var windowNanos: Int64
    private(set) var windows: [Window] = []
    private var currentIndex = -1
    /// Requests per Space-Saving slot in the current window, and the slots touched in it:
    /// counting by slot needs no hashing (a slot given to another key is forgotten).
    private var counts: [Int32] = []
    private var touched: [Int32] = []
    private var countingCurrent = false
    private let topPerWindow: Int
    private let budget: Int

    init(configuration: AnalysisConfiguration) {
        windowNanos = max(1_000_000, Int64(configuration.windowSeconds * 1e9))
        topPerWindow = configuration.topPerWindow
        budget = max(2, configuration.windowBudget)
    }

    /// Whether a request at `timestampNanos` falls after the current window: the caller then calls
    /// `advance(to:keyOf:)`, which closes it (naming its top keys) before `record`.
    @inline(__always)
    func opensWindow(at timestampNanos: Int64) -> Bool {
        guard let originNanos else { return true }
        return Int(max(0, timestampNanos - originNanos) / windowNanos) > currentIndex
    }

    mutating func advance(to timestampNanos: Int64, keyOf: (Int) -> Key) {
        // Windows start on multiples of their length in absolute time, so that results analysed
        // apart (several machines, several files) align when merged.
        if originNanos == nil { originNanos = timestampNanos - timestampNanos % windowNanos }
        let origin = originNanos ?? timestampNanos
        let delta = max(0, timestampNanos - origin)
        var index = Int(delta / windowNanos)
        // A capture longer than the budget (or a wild timestamp) coarsens first: at most 64 halvings.
        while index >= budget {
            closeCurrent(keyOf: keyOf)
            coarsen()
            index = Int(delta / windowNanos)
        }
        if index > currentIndex {
            closeCurrent(keyOf: keyOf)
            currentIndex = index
            while windows.count <= index { windows.append(Window()) }
        }
    }

    /// Counts one request at `timestampNanos` (and its latency, when paired); its keys follow
    /// through `count(slot:)`. `advance(to:keyOf:)` must have run when `opensWindow(at:)` said so.
    @inline(__always)
    /// `countsRequest` false: another shard counts the request itself, this one only some of its keys.
    mutating func record(timestampNanos: Int64, latencyNanos: Int64?, countsRequest: Bool = true) {
        let delta = max(0, timestampNanos - (originNanos ?? timestampNanos))
        let target = min(Int(delta / windowNanos), windows.count - 1)
        guard target >= 0 else { return }
        if countsRequest {
            windows[target].requests += 1
            if let latencyNanos { windows[target].latency.record(latencyNanos) }
        }
        // A late message (its window already closed) counts in that window's total only.
        countingCurrent = topPerWindow > 0 && target == currentIndex
    }

    @inline(__always)
    mutating func count(slot: Int) {
        guard countingCurrent else { return }
        if slot >= counts.count { counts.append(contentsOf: repeatElement(0, count: slot + 1 - counts.count)) }
        if counts[slot] == 0 { touched.append(Int32(slot)) }
        counts[slot] &+= 1
    }

    @inline(__always)
    func prefetch(slot: Int) {
        counts.prefetchElement(at: slot)
    }

    mutating func forget(slot: Int) {
        if slot < counts.count { counts[slot] = 0 }
    }

    private mutating func closeCurrent(keyOf: (Int) -> Key) {
        defer {
            for slot in touched { counts[Int(slot)] = 0 }
            touched.removeAll(keepingCapacity: true)
        }
        guard currentIndex >= 0, currentIndex < windows.count, !touched.isEmpty else { return }
        // A slot given to another key mid-window is touched again: count each slot once (its count is
        // cleared when taken).
        var live: [(slot: Int32, count: Int32)] = []
        for slot in touched where counts[Int(slot)] > 0 {
            live.append((slot, counts[Int(slot)]))
            counts[Int(slot)] = 0
        }
        guard topPerWindow > 0 else { return }
        // Only keys at or above the top list's smallest count are named; ties are broken by key so that
        // the list does not depend on the order slots were touched in.
        var cut: Int32 = 0
        if live.count > topPerWindow { cut = live.map(\.count).sorted(by: >)[topPerWindow - 1] }
        let candidates = live.filter { $0.count >= cut }.map { KeyCount(key: keyOf(Int($0.slot)), count: Int($0.count)) }
        windows[currentIndex].top = Array(
            candidates.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }.prefix(topPerWindow))
    }

    /// Merges adjacent windows: the series keeps its whole time span at half the resolution.
    private mutating func coarsen() {
        var merged: [Window] = []
        merged.reserveCapacity(windows.count / 2 + 1)
        var index = 0
        while index < windows.count {
            var window = windows[index]
            if index + 1 < windows.count {
                window = Self.merge(window, windows[index + 1], limit: topPerWindow)
            }
            merged.append(window)
            index += 2
        }
        windows = merged
        windowNanos *= 2
        if currentIndex >= 0 { currentIndex /= 2 }
    }

    /// Merges two finished series on absolute time; the finer one is coarsened to the other's length.
    static func merge(
        _ a: (origin: Int64, length: Int64, windows: [Window]),
        _ b: (origin: Int64, length: Int64, windows: [Window]), limit: Int
    )
        -> (origin: Int64, length: Int64, windows: [Window])
    {
        guard !a.windows.isEmpty else { return b }
        guard !b.windows.isEmpty else { return a }
        var a = a, b = b
        while a.length < b.length { a = coarsened(a, limit: limit) }
        while b.length < a.length { b = coarsened(b, limit: limit) }
        let origin = min(a.origin, b.origin)
        var merged: [Window] = []
        for part in [a, b] {
            let offset = Int((part.origin - origin) / part.length)
            for (index, window) in part.windows.enumerated() {
                let target = offset + index
                while merged.count <= target { merged.append(Window()) }
                merged[target] = merge(merged[target], window, limit: limit)
            }
        }
        return (origin, a.length, merged)
    }

    private static func coarsened(
        _ series: (origin: Int64, length: Int64, windows: [Window]), limit: Int
    )
        -> (origin: Int64, length: Int64, windows: [Window])
    {
        let length = series.length * 2
        let origin = series.origin - series.origin % length
        var windows: [Window] = []
        for (index, window) in series.windows.enumerated() {
            let target = Int((series.origin + Int64(index) * series.length - origin) / length)
            while windows.count <= target { windows.append(Window()) }
            windows[target] = merge(windows[target], window, limit: limit)
        }
        return (origin, length, windows)
    }

    static func merge(_ a: Window, _ b: Window, limit: Int) -> Window {
        var counts: [Key: Int] = [:]
        for entry in a.top + b.top { counts[entry.key, default: 0] += entry.count }
        let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(limit).map { KeyCount(key: $0.key, count: $0.value) }
        var latency = a.latency
        latency.add(b.latency)
        return Window(requests: a.requests + b.requests, top: top, latency: latency)
    }

    /// The finished series (closes the current window).
    func finished(keyOf: (Int) -> Key) -> (originNanos: Int64, windowNanos: Int64, windows: [Window]) {
        var copy = self
        copy.closeCurrent(keyOf: keyOf)
        return (originNanos ?? 0, windowNanos, copy.windows)
    }
}

extension AnalysisSnapshot {
    /// One window's latency in µs: p50, p90, p99 as the upper bound of their `LogHistogram` bucket
    /// (at most 0.78% above the true value, never above the maximum) and the exact maximum.
    public struct WindowLatency: Sendable, Equatable {
        public var p50, p90, p99, max: Double
        public var count: Int
    }

    /// Each window's latency, in the order of `windowSeries`; nil where no reply was paired.
    public var windowLatencies: [WindowLatency?] {
        windows.map { window in
            let histogram = window.latency
            guard histogram.total > 0 else { return nil }
            func micros(_ percentile: Double) -> Double { Double(histogram.value(at: percentile) ?? 0) / 1_000 }
            return WindowLatency(
                p50: micros(50), p90: micros(90), p99: micros(99),
                max: Double(histogram.maximum) / 1_000, count: histogram.total)
        }
    }
}
