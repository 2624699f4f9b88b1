import HotshardProtocols

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How concentrated the traffic is.
public struct Popularity: Sendable, Codable, Equatable {
    /// Exponent s of a Zipf law count ∝ rank^−s fitted by least squares on log rank vs log count.
    public var zipfExponent: Double?
    /// R² of that fit (1 is a perfect Zipf law).
    public var zipfFitR2: Double?
    public var top1Share: Double
    public var top10Share: Double
    public var top100Share: Double
    public var distinctKeys: Int
    public var distinctKeysEstimated: Bool
}

extension AnalysisSnapshot {
    /// Zipf fit over the top `fitRanks` keys (at least 10 with counts above 1 are needed).
    public func popularity(fitRanks: Int = 1_000) -> Popularity {
        let counts = keys.map(\.count)
        let total = Double(max(1, totals.keyReferences))
        func share(_ n: Int) -> Double { Double(counts.prefix(n).reduce(0, +)) / total }
        let points = counts.prefix(fitRanks).enumerated().filter { $0.element > 1 }
            .map { (log(Double($0.offset + 1)), log(Double($0.element))) }
        var exponent: Double?
        var r2: Double?
        if points.count >= 10 {
            let n = Double(points.count)
            let meanX = points.reduce(0) { $0 + $1.0 } / n
            let meanY = points.reduce(0) { $0 + $1.1 } / n
            var sxy = 0.0, sxx = 0.0, syy = 0.0
            for (x, y) in points {
                sxy += (x - meanX) * (y - meanY)
                sxx += (x - meanX) * (x - meanX)
                syy += (y - meanY) * (y - meanY)
            }
            if sxx > 0, syy > 0 {
                exponent = -sxy / sxx
                r2 = sxy * sxy / (sxx * syy)
            }
        }
        let distinct = distinctKeys
        return Popularity(
            zipfExponent: exponent, zipfFitR2: r2, top1Share: share(1), top10Share: share(10),
            top100Share: share(100), distinctKeys: distinct.count,
            distinctKeysEstimated: distinct.estimated)
    }
}
