import ArgumentParser
import Foundation
import HotshardLoad

struct SynthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a profile's traffic as a valid pcap capture, deterministic under --seed.",
        discussion: """
            Requests follow the profile's schedule over its connections (handshakes, sequence numbers, \
            checksums), each answered by a plausible reply. Closed-loop profiles use --rate (default 10000/s).
            \(ExitStatus.help([.success, .failure, .badInput]))
            """
    )

    @Argument(help: "The workload profile (YAML).")
    var profile: String

    @Option(name: .shortAndLong, help: "The pcap file to write.")
    var output: String

    @OptionGroup var schedule: ScheduleOverrideOptions

    @Option(name: .customLong("max-requests"), help: "Refuse to write more requests than this.")
    var maxRequests: Int = 10_000_000

    func run() async throws {
        var stderr = StandardError()
        let loaded: LoadProfile
        do {
            var overrides = ProfileOverrides()
            schedule.apply(to: &overrides)
            loaded = try overrides.apply(to: try ProfileReader.read(path: profile))
        } catch {
            print("hotshard synth: \(error.description)", to: &stderr)
            throw ExitStatus.badInput.exitCode
        }
        var synthesizer = TrafficSynthesizer(profile: loaded)
        synthesizer.maxRequests = maxRequests
        if let rate = schedule.rate { synthesizer.closedLoopRate = rate }
        do {
            let summary = try synthesizer.write(to: output)
            print(
                "wrote \(output): \(summary.requests) requests, \(summary.packets) packets, \(summary.connections) connections, "
                    + "\(String(format: "%.3f", summary.seconds)) s")
        } catch let problem as TrafficSynthesizer.Problem {
            print("hotshard synth: \(problem.description)", to: &stderr)
            throw ExitStatus.failure.exitCode
        }
    }
}
