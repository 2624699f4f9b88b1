import HotshardProtocols

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The heat timeline: one row per hot key, one column per time bucket, each cell's opacity the
/// key's requests in that bucket relative to the busiest cell (square-root scale, so that a key at
/// a quarter of the peak is still visible). A cell where the key had no requests is left empty; a
/// cell where the key fell out of a window's top list (its count there is not known) is outlined
/// with a dashed border, so that leaving the list does not read as "no traffic".
struct SVGHeatmap {
    let buckets: WindowBuckets
    /// The rows, hottest first: key and its label.
    let rows: [(key: Key, label: KeyText)]

    static let rowHeight = 16.0
    static let labelWidth = 210.0

    func render() -> String {
        var frame = ChartFrame()
        frame.left = Self.labelWidth
        frame.top = 8
        frame.bottom = 28
        frame.height = frame.top + frame.bottom + Double(max(rows.count, 1)) * Self.rowHeight
        let columns = buckets.buckets.count
        let peak = buckets.buckets.reduce(0) { result, bucket in
            rows.reduce(result) { Swift.max($0, bucket.counts[$1.key] ?? 0) }
        }
        var svg = SVGDocument(
            id: "chart-heat", width: frame.width, height: frame.height,
            title: "Heat timeline: the top \(rows.count) keys over time",
            description: "Rows are keys, hottest first; columns are \(ReportFormat.seconds(buckets.bucketSeconds)) steps; "
                + "darker cells carry more requests (busiest cell \(peak) requests).")
        let cellWidth = frame.plotWidth / Double(max(columns, 1))
        for (row, entry) in rows.enumerated() {
            let top = frame.top + Double(row) * Self.rowHeight
            svg.rect(x: frame.left, y: top, width: frame.plotWidth, height: Self.rowHeight - 2, className: "heat-bg")
            svg.text(
                entry.label.short, x: frame.left - 6, y: top + Self.rowHeight - 5, anchor: .end, className: "key-lbl",
                tooltip: entry.label.isShortened ? entry.label.full : nil)
            guard peak > 0 else { continue }
            for (column, bucket) in buckets.buckets.enumerated() {
                if bucket.isUnknown(entry.key) {
                    svg.rect(
                        x: frame.left + Double(column) * cellWidth + 1, y: top + 1, width: Swift.max(0, cellWidth - 2),
                        height: Self.rowHeight - 4, className: "heat-unknown")
                }
                guard let count = bucket.counts[entry.key], count > 0 else { continue }
                let intensity = sqrt(Double(count) / Double(peak))
                svg.rect(
                    x: frame.left + Double(column) * cellWidth, y: top, width: cellWidth, height: Self.rowHeight - 2,
                    className: "heat", opacity: Swift.max(0.06, intensity))
            }
        }
        let end = (buckets.buckets.last?.start ?? 0) + buckets.bucketSeconds
        let x = frame.xLinear(buckets.buckets.first?.start ?? 0, Swift.max(end, 1e-9))
        frame.drawXTicks(x.ticks(6), at: { x($0) }, label: { ReportFormat.seconds($0) }, into: &svg)
        return svg.markup
    }
}
