#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The plotting area of a chart and its scales: linear or base-10 log, with tick values.
struct ChartFrame {
    var width = 720.0
    var height = 240.0
    var left = 60.0
    var right = 14.0
    var top = 12.0
    var bottom = 30.0

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    /// A linear scale from a domain onto a pixel range.
    struct Linear {
        var low: Double
        var high: Double
        var from: Double
        var to: Double
        func callAsFunction(_ value: Double) -> Double {
            guard high > low else { return from }
            return from + (value - low) / (high - low) * (to - from)
        }
        /// About `count` round tick values inside the domain.
        func ticks(_ count: Int = 5) -> [Double] {
            guard high > low, count > 0, low.isFinite, high.isFinite else { return low.isFinite ? [low] : [] }
            let raw = (high - low) / Double(count)
            let magnitude = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
            var values: [Double] = []
            var value = ceil(low / step) * step
            while value <= high + step * 1e-9, values.count < 50 {
                values.append(value)
                value += step
            }
            return values
        }
    }

    /// A base-10 log scale; values at or below zero land on the low end.
    struct Logarithmic {
        var lowExponent: Double
        var highExponent: Double
        var from: Double
        var to: Double
        init(low: Double, high: Double, from: Double, to: Double) {
            // Clamped so that an infinite or absurd value cannot make an endless list of decades.
            lowExponent = min(15, max(-9, floor(log10(max(low, 1e-9)))))
            highExponent = min(18, max(lowExponent + 1, ceil(log10(max(high, 1e-9)))))
            self.from = from
            self.to = to
        }
        func callAsFunction(_ value: Double) -> Double {
            let exponent = value > 0 ? log10(value) : lowExponent
            return from + (exponent - lowExponent) / (highExponent - lowExponent) * (to - from)
        }
        /// One tick per decade.
        var ticks: [Double] {
            stride(from: lowExponent, through: highExponent, by: 1).map { pow(10, $0) }
        }
    }

    func xLinear(_ low: Double, _ high: Double) -> Linear { Linear(low: low, high: high, from: left, to: width - right) }
    func yLinear(_ low: Double, _ high: Double) -> Linear { Linear(low: low, high: high, from: height - bottom, to: top) }
    func yLog(_ low: Double, _ high: Double) -> Logarithmic {
        Logarithmic(low: low, high: high, from: height - bottom, to: top)
    }

    /// Horizontal grid lines with labels on the left.
    func drawYTicks(_ values: [Double], at y: (Double) -> Double, label: (Double) -> String, into svg: inout SVGDocument) {
        for value in values {
            let position = y(value)
            svg.line(x1: left, y1: position, x2: width - right, y2: position, className: "grid")
            svg.text(label(value), x: left - 6, y: position + 4, anchor: .end, className: "tick")
        }
    }

    /// Tick labels under the plot.
    func drawXTicks(_ values: [Double], at x: (Double) -> Double, label: (Double) -> String, into svg: inout SVGDocument) {
        for value in values {
            let position = x(value)
            svg.line(x1: position, y1: height - bottom, x2: position, y2: height - bottom + 4, className: "axis")
            svg.text(label(value), x: position, y: height - bottom + 16, anchor: .middle, className: "tick")
        }
    }

    func drawAxes(into svg: inout SVGDocument) {
        svg.line(x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, className: "axis")
        svg.line(x1: left, y1: top, x2: left, y2: height - bottom, className: "axis")
    }
}
