/// Builds one inline SVG chart as text. Every piece of text that goes in is HTML-escaped here,
/// so a chart built from keys can never carry markup. Colours come from CSS classes (light and
/// dark themes) and presentation attributes, never `style` attributes (the page's CSP forbids them).
///
/// The chart is `role="img"` with a `<title>` and `<desc>` referenced by `aria-labelledby`.
public struct SVGDocument: Sendable {
    /// The chart's width in user units (its viewBox).
    public let width: Double
    /// The chart's height in user units.
    public let height: Double
    private var body = ""
    private let id: String
    private let title: String
    private let summary: String
    private let className: String

    /// `id` must be a fixed identifier from the renderer (letters, digits, `-`), never input text.
    public init(id: String, width: Double, height: Double, title: String, description: String, className: String = "chart") {
        self.id = id
        self.width = width
        self.height = height
        self.title = title
        self.summary = description
        self.className = className
    }

    /// Numbers in coordinates: at most two decimals, no exponent, no `-0`.
    static func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let cents = Int((min(1e12, max(-1e12, value)) * 100).rounded())
        let magnitude = cents.magnitude
        var text = cents < 0 ? "-" : ""
        text += String(magnitude / 100)
        let fraction = magnitude % 100
        if fraction != 0 {
            text += fraction % 10 == 0 ? ".\(fraction / 10)" : (fraction < 10 ? ".0\(fraction)" : ".\(fraction)")
        }
        return text
    }

    /// A rectangle, its opacity clamped to 0…1, with an optional tooltip.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, className: String,
        opacity: Double? = nil, tooltip: String? = nil
    ) {
        body +=
            "<rect class=\"\(className)\" x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(0, width)))\" height=\"\(Self.n(max(0, height)))\""
        if let opacity { body += " fill-opacity=\"\(Self.n(min(1, max(0, opacity))))\"" }
        if let tooltip {
            body += "><title>\(HTMLEscape.text(tooltip))</title></rect>"
        } else {
            body += "/>"
        }
    }

    /// A straight line.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, className: String) {
        body += "<line class=\"\(className)\" x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\"/>"
    }

    /// An open line through `points` (x, y).
    public mutating func polyline(_ points: [(Double, Double)], className: String) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body += "<polyline class=\"\(className)\" fill=\"none\" points=\"\(list)\"/>"
    }

    /// A closed, filled shape through `points` (x, y).
    public mutating func polygon(_ points: [(Double, Double)], className: String) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body += "<polygon class=\"\(className)\" points=\"\(list)\"/>"
    }

    /// A circle, with an optional tooltip.
    public mutating func circle(cx: Double, cy: Double, r: Double, className: String, tooltip: String? = nil) {
        body += "<circle class=\"\(className)\" cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\""
        if let tooltip {
            body += "><title>\(HTMLEscape.text(tooltip))</title></circle>"
        } else {
            body += "/>"
        }
    }

    /// Where text sits relative to its x.
    public enum Anchor: String, Sendable { case start, middle, end }

    /// A text label, escaped, with an optional tooltip.
    public mutating func text(
        _ content: String, x: Double, y: Double, anchor: Anchor = .start,
        className: String = "lbl", tooltip: String? = nil
    ) {
        body += "<text class=\"\(className)\" x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor.rawValue)\">"
        if let tooltip { body += "<title>\(HTMLEscape.text(tooltip))</title>" }
        body += HTMLEscape.text(content) + "</text>"
    }

    /// The finished `<svg>` element.
    public var markup: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"\(className)\" id=\"\(id)\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\""
            + " role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" preserveAspectRatio=\"xMidYMid meet\">"
            + "<title id=\"\(id)-t\">\(HTMLEscape.text(title))</title><desc id=\"\(id)-d\">\(HTMLEscape.text(summary))</desc>"
            + body + "</svg>"
    }
}
