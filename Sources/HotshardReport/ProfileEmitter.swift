import Foundation
import HotshardProtocols

/// `analyze --emit-profile`: a load profile (`profiles/*.yaml` format) that reproduces the
/// measured traffic — its rate, duration, read/write mix, value size and, key by key, the
/// popularity of the hottest keys.
///
/// The top keys are listed with their measured shares and the rest of the requests spread
/// uniformly over the remaining key space. A Zipf tail would be closer to reality further down,
/// but its own first items would outrank the listed keys (a Zipf head is steep), while a uniform
/// tail keeps every listed key above the tail as it was measured: the ranks that matter for
/// partitioning, and for the fitted exponent (fitted over the top 1,000), stay as captured.
///
/// It lives beside the result document it reads (HotshardLoad, where the profile reader is, sits
/// below Report and cannot see a `ResultDocument`); `ProfileReader` reads what it writes.
public enum ProfileEmitter {
    /// Keys listed by name with their shares; the rest become a uniform tail.
    public static let listedKeys = 1_000

    /// The profile as YAML, with comments that say where each number came from.
    public static func yaml(_ document: ResultDocument) -> String {
        let scheme: (name: String, port: Int, operations: [String: String])
        switch document.totals.byProtocol.max(by: { $0.value < $1.value })?.key {
        case "memcached":
            scheme = (
                "memcached", 11211,
                [
                    "GET": "get", "GETS": "get", "SET": "set", "DELETE": "delete", "INCR": "incr",
                    "MG": "get", "MS": "set", "MD": "delete",
                ]
            )
        case "http":
            scheme = ("http", 8080, ["GET": "GET", "HEAD": "GET", "POST": "POST", "PUT": "POST"])
        default:
            scheme = (
                "redis", 6379,
                [
                    "GET": "GET", "SET": "SET", "MGET": "MGET", "DEL": "DEL", "INCR": "INCR",
                    "UNLINK": "DEL", "SETEX": "SET", "GETEX": "GET",
                ]
            )
        }
        let totals = document.totals
        let measured = totals.durationSeconds > 0 ? totals.durationSeconds : 1
        let rate = Double(totals.requests) / measured
        // At least a second, so that a short capture still makes a load run worth measuring.
        let duration = max(measured, 1)
        var operations: [String: Int] = [:]
        var dropped = 0
        for (command, count) in totals.byCommand {
            if let op = scheme.operations[command.uppercased()] { operations[op, default: 0] += count } else { dropped += count }
        }
        if operations.isEmpty { operations[scheme.name == "http" ? "GET" : (scheme.name == "memcached" ? "get" : "GET")] = 1 }

        let listed = document.hotKeys.prefix(listedKeys)
        let references = max(totals.keyReferences, 1)
        let listedShare = listed.reduce(0.0) { $0 + Double($1.count) / Double(references) }
        let distinct = document.tracking.distinctKeys
        let tailKeys = max(distinct - listed.count, 1)
        // Value size: what reads returned per request, on average, over the listed keys.
        let reads = listed.reduce(0) { $0 + $1.reads }
        let replyBytes = listed.reduce(0) { $0 + ($1.reads > 0 ? $1.replyBytes : 0) }
        let valueSize = reads > 0 ? max(1, replyBytes / reads - 8) : 64

        var out = "# Emitted by `hotshard analyze --emit-profile` from \(document.source.inputs.joined(separator: ", ")).\n"
        out += "# Measured: \(totals.requests) requests in \(format(totals.durationSeconds)) s (\(format(rate)) per second), "
        out += "\(distinct) distinct keys\(document.tracking.distinctKeysEstimated ? " (estimated)" : "")"
        if let popularity = document.popularity, let exponent = popularity.zipfExponent {
            out += ", Zipf exponent \(format(exponent, 3)) (R² \(format(popularity.zipfFitR2 ?? 0, 3)))"
        }
        out += ".\n# The top \(listed.count) keys carry their measured shares; the other "
        out += "\(format(max(0, 1 - listedShare) * 100, 1))% of key references spread uniformly over \(tailKeys) more keys.\n"
        if dropped > 0 {
            out += "# \(dropped) requests of commands the load generator does not send were left out of the mix.\n"
        }
        out += "# Run it: hotshard load THIS.yaml --target \(scheme.name)://127.0.0.1:PORT\n\n"
        out += "target: \(scheme.name)://127.0.0.1:\(scheme.port)\n"
        out += "connections: \(min(64, max(1, document.capture.flows)))\n"
        out += "arrival: {kind: poisson, rate: \(format(rate))}\n"
        out += "duration: \(format(duration))s\n"
        out += "keys:\n  count: \(tailKeys)\n  format: \"tail:{n:09}\"\n  distribution:\n    kind: weighted\n    keys:\n"
        for entry in listed {
            let share = format(Double(entry.count) / Double(references), 8)
            if let text = entry.key.utf8Text {
                out += "      - {key: \(quoted(text)), share: \(share)}\n"
            } else {
                out += "      - {keyBase64: \"\(Data(entry.key.bytes).base64EncodedString())\", share: \(share)}\n"
            }
        }
        out += "    tail: {kind: uniform}\noperations:\n"
        for (op, count) in operations.sorted(by: { $0.value > $1.value }) {
            out += "  - {op: \(op), weight: \(count)}\n"
        }
        out += "values: {size: \(valueSize)}\n"
        return out
    }

    /// A YAML double-quoted scalar: JSON's escapes are YAML's.
    static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func format(_ value: Double, _ decimals: Int = 2) -> String {
        TerminalSummary.format(value, decimals)
    }
}
