/// The command-line overrides of a profile's common fields (`--target`, `--rate`, `--duration`,
/// `--requests`, `--connections`, `--pipeline`, `--threads`, `--seed`, `--warmup`), and a pool
/// (`--target` repeated, `--scheme`, `redis+cluster://`; see `LoadPool`).
public struct ProfileOverrides: Sendable {
    public var target: String?
    /// More targets: with `target`, the servers of a pool.
    public var targets: [String] = []
    /// The pool's placement scheme (`ketama`, `jump`, …).
    public var scheme: String?
    public var rate: Double?
    public var duration: String?
    public var requests: Int?
    public var connections: Int?
    public var pipeline: Int?
    public var threads: Int?
    public var seed: UInt64?
    public var warmup: String?
    /// False with `--allow-remote`: `--target` may then name a host that is not on loopback (a
    /// Kubernetes Service's cluster IP, for the sharded load Job). The profile's own `target:` stays
    /// loopback-only, so a profile alone can still never aim load at a shared server.
    public var loopbackOnly = true

    public init() {}

    /// The profile with the overrides applied; errors name the option.
    public func apply(to original: LoadProfile) throws(ProfileError) -> LoadProfile {
        var profile = original
        func fail(_ option: String, _ message: String) -> ProfileError {
            ProfileError(file: "command line", line: nil, field: option, message: message)
        }
        let given = (target.map { [$0] } ?? []) + targets
        if !given.isEmpty || scheme != nil {
            var list = given
            if list.isEmpty {
                // Only --scheme: the profile's own servers, placed by it.
                list = original.pool.map { $0.nodes.map(\.description) } ?? [original.target.description]
                if case .redisCluster? = original.pool?.placement { list = ["redis+cluster://\(original.target.host):\(original.target.port)"] }
            }
            let poolScheme = scheme ?? { if case .client(let name)? = original.pool?.placement { name } else { nil } }()
            do {
                (profile.target, profile.pool) = try LoadPool.parse(targets: list, scheme: poolScheme, loopbackOnly: loopbackOnly || given.isEmpty)
            } catch let error as LoadTarget.Problem {
                throw fail("--target", error.description)
            } catch {
                throw fail(given.isEmpty ? "--scheme" : "--target", "\(error)")
            }
            if profile.target.scheme != original.target.scheme {
                throw fail(
                    "--target", "the profile speaks \(original.target.scheme.rawValue); its operations do not fit \(profile.target.scheme.rawValue)")
            }
        }
        if let rate {
            guard rate > 0, rate <= 10_000_000 else { throw fail("--rate", "must be above 0 and at most 10,000,000") }
            if case .poisson = profile.arrival { profile.arrival = .poisson(rate: rate) } else { profile.arrival = .constant(rate: rate) }
        }
        if let duration {
            guard let seconds = Self.seconds(duration), seconds > 0 else {
                throw fail("--duration", "`\(duration)` is not a duration such as 30s or 500ms")
            }
            profile.durationSeconds = seconds
            profile.requests = nil
        }
        if let requests {
            guard requests > 0 else { throw fail("--requests", "must be positive") }
            profile.requests = requests
            profile.durationSeconds = nil
        }
        if let warmup {
            guard let seconds = Self.seconds(warmup), seconds >= 0 else { throw fail("--warmup", "`\(warmup)` is not a duration") }
            profile.warmupSeconds = seconds
        }
        if let connections {
            guard (1...10_000).contains(connections) else { throw fail("--connections", "must be 1…10000") }
            profile.connections = connections
        }
        if let pipeline {
            guard (1...10_000).contains(pipeline) else { throw fail("--pipeline", "must be 1…10000") }
            profile.pipeline = pipeline
        }
        if let threads {
            guard (1...64).contains(threads) else { throw fail("--threads", "must be 1…64") }
            profile.threads = threads
        }
        if let seed { profile.seed = seed }
        if profile.pool != nil {
            do { try LoadPool.checkSingleKey(profile) } catch { throw fail("--target", "\(error)") }
        }
        return profile
    }

    /// `30s`, `500ms`, `2m`, `1h`, `250us` or plain seconds.
    public static func seconds(_ text: String) -> Double? {
        let lowered = text.lowercased()
        if let plain = Double(lowered) { return plain }
        for (suffix, scale) in [("ms", 1e-3), ("us", 1e-6), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where lowered.hasSuffix(suffix) {
            return Double(lowered.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }
}
