import Foundation
import Histogram

/// The text of an HdrHistogram interval log, format version 1.3, as the Java library's
/// `HistogramLogWriter` writes it and `HistogramLogReader`, HistogramLogAnalyzer and the PyPI
/// `hdrhistogram` package's `hdrh.log.HistogramLogReader` read it: comment headers (format
/// version, `StartTime`, `BaseTime`), the CSV legend, then one line per interval and tag —
/// `Tag=NAME,start,length,max,histogram` with start and length in seconds from the base time,
/// max in milliseconds (values are µs: the ratio is 1,000) and the histogram in the compressed
/// encoding (`HdrHistogramCodec`). Adding a tag's intervals gives the whole run's histogram.
public enum HistogramLogFormat {
    /// Header lines for a log whose intervals count from `baseNanos` (ns since the epoch).
    public static func header(baseNanos: Int64, comment: String) -> String {
        let seconds = Double(baseNanos) / 1e9
        let date = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
        return "#[\(comment)]\n"
            + "#[Histogram log format version 1.3]\n"
            + "#[StartTime: \(String(format: "%.3f", seconds)) (seconds since epoch), \(date)]\n"
            + "#[BaseTime: \(String(format: "%.3f", seconds)) (seconds since epoch)]\n"
            + "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
    }

    /// One interval line: `tag`'s µs histogram for `lengthSeconds` from `startSeconds` after the base time.
    public static func line(tag: String, startSeconds: Double, lengthSeconds: Double, histogram: Histogram<UInt64>) -> String {
        let maxMillis = histogram.totalCount > 0 ? Double(histogram.max) / 1_000 : 0
        return "Tag=\(tag),\(String(format: "%.3f", startSeconds)),\(String(format: "%.3f", lengthSeconds)),"
            + "\(String(format: "%.3f", maxMillis)),\(HdrHistogramCodec.encode(histogram))\n"
    }
}
