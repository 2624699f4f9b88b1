import HotshardProtocols

/// Renders a `MetricsSnapshot` in the Prometheus text exposition format, version 0.0.4 — what
/// Prometheus, the OpenTelemetry collector and every scraper read. Names carry the `hotshard_`
/// prefix and base units (seconds, bytes); counters end in `_total`; latency is a cumulative
/// histogram in seconds. Per-key series exist only for the snapshot's hottest keys (bounded by
/// `--metrics-top`), so a scrape's size does not grow with the traffic.
public enum MetricsExposition {
    /// The `Content-Type` of the format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The text a scrape of `snapshot` returns.
    public static func render(_ snapshot: MetricsSnapshot) -> String {
        var out = ""
        out.reserveCapacity(4_096)
        family(
            &out, "hotshard_info", "gauge", "The serving command and the tool's version; always 1.",
            [(labels(["command": snapshot.command, "version": HotshardVersion.current]), "1")])
        family(
            &out, "hotshard_run_finished", "gauge", "1 once the run has ended and the values are its result's.",
            [("", snapshot.finished ? "1" : "0")])
        family(
            &out, "hotshard_run_elapsed_seconds", "gauge", "Seconds since the run began.",
            [("", number(snapshot.elapsedSeconds))])
        family(
            &out, "hotshard_requests_total", "counter", "Requests measured, by command (the result's totals.byCommand).",
            snapshot.requestsByCommand.sorted { $0.key < $1.key }.map { (labels(["command": $0.key]), String($0.value)) })
        family(
            &out, "hotshard_errors_total", "counter", "Requests answered by an error (the result's totals.errors).",
            [("", String(snapshot.errors))])
        family(
            &out, "hotshard_replies_total", "counter", "Replies by status (ok, miss, error).",
            snapshot.repliesByStatus.sorted { $0.key < $1.key }.map { (labels(["status": $0.key]), String($0.value)) })
        if let service = snapshot.service {
            histogram(
                &out, "hotshard_service_latency_seconds",
                "Service latency: from the request's sending (or its packet) to the reply.", service)
        }
        if let corrected = snapshot.corrected {
            histogram(
                &out, "hotshard_corrected_latency_seconds",
                "Latency from each request's intended send time (corrected for coordinated omission).", corrected)
        }
        family(
            &out, "hotshard_key_requests_total", "counter",
            "Requests that named the key, for the current hottest keys only (--metrics-top); a key's count is an upper bound when the tracking is not exact.",
            snapshot.hotKeys.map { (labels(["key": $0.key.escaped]), String($0.count)) })
        if let inFlight = snapshot.inFlight {
            family(&out, "hotshard_in_flight_requests", "gauge", "Requests sent and not yet answered.", [("", String(inFlight))])
        }
        if let capture = snapshot.capture {
            family(&out, "hotshard_capture_packets_total", "counter", "Packets captured.", [("", String(capture.packets))])
            family(&out, "hotshard_capture_bytes_total", "counter", "Bytes of the packets captured.", [("", String(capture.bytes))])
            family(
                &out, "hotshard_capture_gaps_total", "counter", "TCP stream gaps (bytes never seen).", [("", String(capture.gaps))])
            if let drops = capture.kernelDrops {
                family(
                    &out, "hotshard_capture_kernel_drops_total", "counter", "Packets the kernel dropped before the capture read them.",
                    [("", String(drops))])
            }
            if let drops = capture.interfaceDrops {
                family(
                    &out, "hotshard_capture_interface_drops_total", "counter", "Packets the interface dropped.",
                    [("", String(drops))])
            }
        }
        if let dropped = snapshot.droppedIntervals {
            family(
                &out, "hotshard_capture_dropped_intervals_total", "counter",
                "Rotated intervals dropped unwritten (--rotate-keep-unwritten was exceeded).", [("", String(dropped))])
        }
        return out
    }

    /// A label value escaped as the format wants: backslash, double quote and line feed. Keys come
    /// here already rendered (`Key.escaped`: bytes that are not printable UTF-8 as `\xNN`).
    public static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    private static func labels(_ pairs: KeyValuePairs<String, String>) -> String {
        "{" + pairs.map { "\($0.key)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
    }

    private static func family(_ out: inout String, _ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (labels, value) in samples { out += "\(name)\(labels) \(value)\n" }
    }

    private static func histogram(_ out: inout String, _ name: String, _ help: String, _ buckets: LatencyBuckets) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (bound, count) in zip(LatencyBuckets.bounds, buckets.cumulative) {
            out += "\(name)_bucket{le=\"\(number(bound))\"} \(count)\n"
        }
        out += "\(name)_bucket{le=\"+Inf\"} \(buckets.count)\n"
        out += "\(name)_sum \(number(buckets.sumSeconds))\n"
        out += "\(name)_count \(buckets.count)\n"
    }

    /// A float as Go's `strconv.ParseFloat` (Prometheus) reads it.
    private static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : (value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf"))
    }
}
