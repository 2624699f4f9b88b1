import ArgumentParser
import Foundation
import HotshardReport

/// `--metrics-listen`, `--metrics-top` and `--metrics-linger`, shared by `load`, `replay`, `top`
/// and `analyze -i`: where the Prometheus endpoint listens, how many hot keys get a series of their
/// own, and how long the endpoint outlives the run so that a scraper reads the final values.
struct MetricsOptions: ParsableArguments {
    @Option(
        name: .customLong("metrics-listen"),
        help: ArgumentHelp(
            "Serve live Prometheus metrics at http://ADDR:PORT/metrics while the run lasts.",
            discussion:
                "ADDR:PORT, [IPv6]:PORT, or :PORT (every interface, as exporters do; scraped from other hosts). Port 0 picks a free port, printed on stderr. A port in use is an error before the run starts.",
            valueName: "addr:port"))
    var metricsListen: String?

    @Option(name: .customLong("metrics-top"), help: "Hot keys that get a series of their own in the metrics (cardinality bound), 0-1000.")
    var metricsTop: Int = 10

    @Option(
        name: .customLong("metrics-linger"),
        help: "After the run, once the result is written, serve the final values until a scrape has read them or this many seconds have passed.")
    var metricsLinger: Double = 0

    func validate() throws {
        if let metricsListen { _ = try Self.split(metricsListen) }
        guard (0...1_000).contains(metricsTop) else { throw ValidationError("--metrics-top must be 0 to 1000") }
        guard metricsLinger >= 0, metricsLinger.isFinite else { throw ValidationError("--metrics-linger must be 0 or more seconds") }
    }

    /// `ADDR:PORT` → (host, port); `[v6]:PORT` and `:PORT` (every interface) too.
    static func split(_ text: String) throws -> (host: String, port: UInt16) {
        guard let colon = text.lastIndex(of: ":") else {
            throw ValidationError("--metrics-listen \(text): expected ADDR:PORT (127.0.0.1:9464, :9464, [::1]:9464)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = UInt16(text[text.index(after: colon)...]) else {
            throw ValidationError("--metrics-listen \(text): the port must be a number from 0 to 65535")
        }
        return (host, port)
    }

    /// The running endpoint, or nil without `--metrics-listen`. A port in use or an address that
    /// cannot be bound ends the command here, before it measures anything, with exit status 2.
    func start(command: String) throws -> MetricsServer? {
        guard let metricsListen else { return nil }
        var stderr = StandardError()
        do {
            let (host, port) = try Self.split(metricsListen)
            let server = try MetricsServer(host: host, port: port)
            server.publish(MetricsSnapshot(command: command))
            print("hotshard \(command): metrics at http://\(server.address)/metrics", to: &stderr)
            return server
        } catch {
            print("hotshard \(command): \(error)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
    }

    /// Publishes the final values (the result's), marked finished. Call `close` when the result
    /// is written. Made only when there is an endpoint: it walks the analysis's keys.
    func publishFinal(_ server: MetricsServer?, with snapshot: @autoclosure () -> MetricsSnapshot) {
        guard let server else { return }
        var snapshot = snapshot()
        snapshot.finished = true
        server.publish(snapshot)
    }

    /// Lingers for a last scrape (`--metrics-linger`) and stops the endpoint: after the result is
    /// written, so that waiting for a scraper never holds the result back.
    func close(_ server: MetricsServer?) {
        guard let server else { return }
        server.linger(upTo: metricsLinger)
        server.stop()
    }
}
