import HotshardProtocols

/// Per-window totals and top keys over time, in bounded memory: when the number of windows
/// exceeds the budget, adjacent pairs merge (the window length doubles); totals stay exact.
struct WindowSeries: Sendable {
    struct Window: Codable, Sendable {
        var requests = 0
        var top: [KeyCount] = []
    }

    struct KeyCount: Codable, Sendable {
        var key: Key
        var count: Int
    }

    private(set) var originNanos: Int64?
    private(set) var windowNanos: Int64
    private(set) var windows: [Window] = []
    private var currentIndex = -1
    private var current: StreamSummary
    private let trackingCapacity: Int
    private let topPerWindow: Int
    private let budget: Int

    init(configuration: AnalysisConfiguration) {
        windowNanos = max(1_000_000, Int64(configuration.windowSeconds * 1e9))
        trackingCapacity = configuration.windowTrackingCapacity
        topPerWindow = configuration.topPerWindow
        budget = max(2, configuration.windowBudget)
        current = StreamSummary(capacity: trackingCapacity)
    }

    /// Counts one request at `timestampNanos` naming `keys`.
    mutating func record(timestampNanos: Int64, keys: [KeyReference]) {
        // Windows start on multiples of their length in absolute time, so that results analysed
        // apart (several machines, several files) align when merged.
        if originNanos == nil { originNanos = timestampNanos - timestampNanos % windowNanos }
        let origin = originNanos ?? timestampNanos
        let delta = max(0, timestampNanos - origin)
        var index = Int(delta / windowNanos)
        // A capture longer than the budget (or a wild timestamp) coarsens first: at most 64 halvings.
        while index >= budget {
            coarsen()
            index = Int(delta / windowNanos)
        }
        if index > currentIndex {
            closeCurrent()
            currentIndex = index
            while windows.count <= index { windows.append(Window()) }
        }
        let target = min(Int(max(0, timestampNanos - origin) / windowNanos), windows.count - 1)
        windows[target].requests += 1
        if target == currentIndex {
            for reference in keys { _ = current.increment(reference.key) }
        }
    }

    private mutating func closeCurrent() {
        guard currentIndex >= 0, currentIndex < windows.count, current.count > 0 else {
            current = StreamSummary(capacity: trackingCapacity)
            return
        }
        windows[currentIndex].top = current.slotsByCount().prefix(topPerWindow).map {
            KeyCount(key: current.counters[$0].key, count: current.counters[$0].count)
        }
        current = StreamSummary(capacity: trackingCapacity)
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
    static func merge(_ a: (origin: Int64, length: Int64, windows: [Window]),
                      _ b: (origin: Int64, length: Int64, windows: [Window]), limit: Int)
        -> (origin: Int64, length: Int64, windows: [Window]) {
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

    private static func coarsened(_ series: (origin: Int64, length: Int64, windows: [Window]), limit: Int)
        -> (origin: Int64, length: Int64, windows: [Window]) {
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
        return Window(requests: a.requests + b.requests, top: top)
    }

    /// The finished series (closes the current window).
    func finished() -> (originNanos: Int64, windowNanos: Int64, windows: [Window]) {
        var copy = self
        copy.closeCurrent()
        return (originNanos ?? 0, windowNanos, copy.windows)
    }
}
