import Foundation
import Testing
import HotshardTestSupport
@testable import HotshardLoad
import HotshardProtocols

/// Helpers for the replay tests: the lab captures and their truth, and a replay into a target.
enum ReplayTestSupport {
    struct Truth: Decodable {
        let ops: Int
        let port: Int
        let keys: [String: Int]
        let writes: [String: Int]?
    }

    static func truth(_ name: String) throws -> Truth {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("lab/\(name).truth.json")))
        return try JSONDecoder().decode(Truth.self, from: data)
    }

    static func lab(_ file: String) -> String { Fixtures.path("lab/\(file)") }

    /// Options that recognise the lab capture's server port (the captures use non-default ports).
    static func options(for name: String, _ configure: (inout ReplayOptions) -> Void = { _ in }) throws -> ReplayOptions {
        let truth = try truth(name)
        var options = ReplayOptions()
        let proto =
            switch truth.port {
            case 16379: "resp";
            case 18080: "http";
            default: "memcached"
            }
        try options.decoder.addPortOption("\(proto)=\(truth.port)")
        configure(&options)
        return options
    }

    static func replay(
        _ files: [String], to server: RealServer, scheme: LoadTarget.Scheme, options: ReplayOptions,
        duration: Double? = nil
    ) async throws -> ReplayRun {
        let runner = ReplayRunner(
            files: files, target: LoadTarget(scheme: scheme, host: "127.0.0.1", port: Int(server.port)),
            options: options)
        runner.durationSeconds = duration
        return try await runner.run()
    }
}

/// Every suite that drives real servers runs inside this one, one test at a time: the machine has
/// two cores, shared, and the rate and timing tests must not compete with each other.
@Suite(.serialized) enum RealServerSuites {}
