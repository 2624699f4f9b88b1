import ArgumentParser
import HotshardLoad

/// The profile overrides `load` and `synth` share (seed, rate, duration, request count,
/// connections): one declaration, so both commands spell and explain them alike.
struct ScheduleOverrideOptions: ParsableArguments {
    @Option(help: "Override the arrival rate (requests/s; makes a ramp or steps profile constant).")
    var rate: Double?

    @Option(help: "Override the measured duration (30s, 500ms, 2m).")
    var duration: String?

    @Option(help: "Override: stop after this many measured requests.")
    var requests: Int?

    @Option(help: "Override the number of connections.")
    var connections: Int?

    @Option(help: "Override the random seed (keys, operations, Poisson gaps).")
    var seed: UInt64?

    /// Sets the overrides given on the command line.
    func apply(to overrides: inout ProfileOverrides) {
        overrides.rate = rate
        overrides.duration = duration
        overrides.requests = requests
        overrides.connections = connections
        overrides.seed = seed
    }
}
