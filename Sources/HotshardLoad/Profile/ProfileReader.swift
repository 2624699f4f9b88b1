import Foundation
import HotshardProtocols
import Yams

/// Reads a profile from YAML (Yams), validating every field. Unknown fields are errors (a typo
/// must not silently fall back to a default); every error names the file, the line and the field.
public enum ProfileReader {
    /// Reads and validates the profile at `path`.
    public static func read(path: String) throws(ProfileError) -> LoadProfile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ProfileError(file: path, line: nil, field: "", message: "cannot read the profile: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text; `file` labels the errors.
    public static func parse(_ text: String, file: String) throws(ProfileError) -> LoadProfile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ProfileError(file: file, line: Self.line(of: error), field: "", message: "not valid YAML: \(Self.problem(of: error))")
        } catch {
            throw ProfileError(file: file, line: nil, field: "", message: "not valid YAML: \(error)")
        }
        guard let root else { throw ProfileError(file: file, line: nil, field: "", message: "the profile is empty") }
        let reader = FieldReader(file: file)
        return try reader.profile(root)
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }
}

/// Walks the YAML tree with the file name at hand for errors.
struct FieldReader {
    let file: String

    func fail(_ node: Node?, _ field: String, _ message: String) -> ProfileError {
        ProfileError(file: file, line: node?.mark?.line, field: field, message: message)
    }

    func mapping(_ node: Node, _ field: String, allowed: Set<String>) throws(ProfileError) -> [String: Node] {
        guard let mapping = node.mapping else { throw fail(node, field, "expected a mapping (key: value lines)") }
        var out: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw fail(key, field, "keys must be plain words") }
            let path = field.isEmpty ? name : "\(field).\(name)"
            guard allowed.contains(name) else {
                throw fail(key, path, "unknown field; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            out[name] = value
        }
        return out
    }

    func string(_ node: Node, _ field: String) throws(ProfileError) -> String {
        guard let scalar = node.scalar else { throw fail(node, field, "expected a single value") }
        return scalar.string
    }

    func double(
        _ node: Node, _ field: String, min: Double? = nil, max: Double? = nil,
        exclusiveMin: Bool = false
    ) throws(ProfileError) -> Double {
        let text = try string(node, field)
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            throw fail(node, field, "`\(text)` is not a number")
        }
        if let min, exclusiveMin ? value <= min : value < min {
            throw fail(node, field, "\(text) is too small (must be \(exclusiveMin ? "above" : "at least") \(min.formatted))")
        }
        if let max, value > max { throw fail(node, field, "\(text) is too large (at most \(max.formatted))") }
        return value
    }

    func int(_ node: Node, _ field: String, min: Int, max: Int) throws(ProfileError) -> Int {
        let text = try string(node, field)
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw fail(node, field, "`\(text)` is not a whole number")
        }
        guard value >= min, value <= max else { throw fail(node, field, "\(value) is outside \(min)…\(max)") }
        return value
    }

    /// `30s`, `500ms`, `2m`, `1h`, `250us`, or a plain number of seconds.
    func seconds(_ node: Node, _ field: String, allowZero: Bool = true) throws(ProfileError) -> Double {
        let text = try string(node, field).trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
        var value: Double?
        if let plain = Double(text) {
            value = plain
        } else {
            for (suffix, scale) in units where text.hasSuffix(suffix) {
                if let number = Double(text.dropLast(suffix.count)) { value = number * scale }
                break
            }
        }
        guard let value, value.isFinite else { throw fail(node, field, "`\(text)` is not a duration such as 30s, 500ms or 2m") }
        guard value > 0 || (allowZero && value == 0) else { throw fail(node, field, "the duration must be positive") }
        guard value <= 7 * 86_400 else { throw fail(node, field, "\(text) is longer than a week") }
        return value
    }

    func sequence(_ node: Node, _ field: String) throws(ProfileError) -> [Node] {
        guard let sequence = node.sequence else { throw fail(node, field, "expected a list (lines starting with -)") }
        return Array(sequence)
    }

    // MARK: The profile

    static let topFields: Set<String> = [
        "name", "description", "target", "protocol", "http", "connections", "pipeline", "threads", "arrival",
        "duration", "requests", "warmup", "seed", "timeout", "backlog", "keys", "operations", "values", "phases",
        "thresholds", "scheme", "amqp",
    ]

    func profile(_ root: Node) throws(ProfileError) -> LoadProfile {
        let fields = try mapping(root, "", allowed: Self.topFields)
        guard let targetNode = fields["target"] else { throw fail(root, "target", "missing (redis://127.0.0.1:6379, memcached://…, http://…)") }
        let target: LoadTarget
        var pool: LoadPool?
        do {
            // One server, or a pool: a list of servers placed by `scheme:`, or redis+cluster://.
            let targets =
                try targetNode.sequence.map { items in try items.map { try string($0, "target") } }
                ?? [try string(targetNode, "target")]
            let scheme = try fields["scheme"].map { try string($0, "scheme") }
            (target, pool) = try LoadPool.parse(targets: targets, scheme: scheme)
        } catch let problem as PoolError {
            throw fail(targetNode, "target", problem.description)
        } catch let problem as LoadTarget.Problem {
            throw fail(targetNode, "target", problem.description)
        } catch let error as ProfileError {
            throw error
        } catch {
            throw fail(targetNode, "target", "\(error)")
        }
        var keyFormat: KeyFormat
        do { keyFormat = try KeyFormat("key:{n}") } catch { throw fail(root, "keys.format", error.description) }
        var profile = LoadProfile(source: file, target: target, keyFormat: keyFormat, operations: [])
        profile.pool = pool

        if let node = fields["protocol"] {
            let text = try string(node, "protocol").lowercased()
            switch (target.scheme, text) {
            case (.redis, "resp2"), (.redis, "resp"): profile.respVersion = 2
            case (.redis, "resp3"): profile.respVersion = 3
            case (.memcached, "text"), (.memcached, "ascii"): profile.memcachedProtocol = .text
            case (.memcached, "meta"): profile.memcachedProtocol = .meta
            case (.memcached, "binary"): profile.memcachedProtocol = .binary
            case (.http, "http/1.1"), (.http, "http1.1"): break
            case (.amqp, "amqp"), (.amqp, "amqp-0-9-1"), (.amqp, "amqp0-9-1"): break
            default:
                throw fail(
                    node, "protocol",
                    "`\(text)` does not fit a \(target.scheme.rawValue) target (resp2 or resp3; text, meta or binary; http/1.1; amqp)")
            }
        }
        if let node = fields["http"] {
            guard target.scheme == .http else { throw fail(node, "http", "only for http:// targets") }
            let http = try mapping(node, "http", allowed: ["path", "headers"])
            if let path = http["path"] {
                let text = try string(path, "http.path")
                guard text.hasPrefix("/"), text.contains("{key}") else {
                    throw fail(path, "http.path", "must start with / and contain {key}")
                }
                guard !text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7f }) else {
                    throw fail(path, "http.path", "must not contain spaces or control characters")
                }
                profile.httpPath = text
            }
            if let headers = http["headers"] {
                guard let mapping = headers.mapping else { throw fail(headers, "http.headers", "expected NAME: VALUE lines") }
                for (name, value) in mapping {
                    let nameText = try string(name, "http.headers")
                    let valueText = try string(value, "http.headers.\(nameText)")
                    guard !nameText.isEmpty, !(nameText + valueText).utf8.contains(where: { $0 == 0x0d || $0 == 0x0a }) else {
                        throw fail(name, "http.headers.\(nameText)", "header names and values must be one line")
                    }
                    profile.httpHeaders.append((nameText, valueText))
                }
            }
        }
        if target.scheme == .amqp {
            profile.amqp = try amqpSettings(fields["amqp"])
        } else if let node = fields["amqp"] {
            throw fail(node, "amqp", "only for amqp:// targets")
        }
        if let node = fields["connections"] { profile.connections = try int(node, "connections", min: 1, max: 10_000) }
        if let node = fields["pipeline"] { profile.pipeline = try int(node, "pipeline", min: 1, max: 10_000) }
        if let node = fields["threads"] { profile.threads = try int(node, "threads", min: 1, max: 64) }
        if let node = fields["arrival"] { profile.arrival = try arrival(node) }
        if let node = fields["requests"] {
            profile.requests = try int(node, "requests", min: 1, max: 10_000_000_000)
            profile.durationSeconds = nil
        }
        if let node = fields["duration"] {
            if fields["requests"] != nil { throw fail(node, "duration", "give duration or requests, not both") }
            profile.durationSeconds = try seconds(node, "duration", allowZero: false)
        }
        if let node = fields["warmup"] { profile.warmupSeconds = try seconds(node, "warmup") }
        if let node = fields["seed"] {
            let text = try string(node, "seed")
            guard let seed = UInt64(text) else { throw fail(node, "seed", "`\(text)` is not a non-negative whole number") }
            profile.seed = seed
        }
        if let node = fields["timeout"] { profile.timeoutSeconds = try seconds(node, "timeout", allowZero: false) }
        if let node = fields["backlog"] { profile.maxBacklog = try int(node, "backlog", min: 1, max: 100_000_000) }
        if let node = fields["keys"] {
            let keys = try mapping(node, "keys", allowed: ["count", "format", "distribution"])
            if let count = keys["count"] { profile.keyCount = UInt64(try int(count, "keys.count", min: 1, max: 10_000_000_000)) }
            if let format = keys["format"] {
                do { keyFormat = try KeyFormat(try string(format, "keys.format")) } catch let problem as KeyFormat.Problem {
                    throw fail(format, "keys.format", problem.description)
                } catch let error as ProfileError { throw error } catch { throw fail(format, "keys.format", "\(error)") }
                profile.keyFormat = keyFormat
            }
            if let distribution = keys["distribution"] {
                profile.distribution = try self.distribution(distribution, "keys.distribution", keyCount: profile.keyCount)
            }
        }
        guard let operationsNode = fields["operations"] else {
            throw fail(root, "operations", "missing: list the operations with their weights (- op: GET, weight: 90)")
        }
        profile.operations = try operations(
            operationsNode, "operations", scheme: target.scheme,
            memcached: profile.memcachedProtocol)
        if let node = fields["values"] { profile.valueSize = try valueSize(node) }
        if let node = fields["phases"] {
            for (index, phaseNode) in try sequence(node, "phases").enumerated() {
                profile.phases.append(try phase(phaseNode, "phases[\(index)]", profile: profile))
            }
        }
        if let node = fields["thresholds"] {
            for (index, item) in try sequence(node, "thresholds").enumerated() {
                let text = try string(item, "thresholds[\(index)]")
                do {
                    profile.thresholds.append(try Threshold(parsing: text))
                } catch {
                    throw fail(item, "thresholds[\(index)]", error.message)
                }
            }
        }
        if case .closedLoop = profile.arrival, profile.durationSeconds == nil, profile.requests == nil {
            throw fail(root, "duration", "a closed-loop run needs a duration or a request count")
        }
        if profile.pool != nil {
            do { try LoadPool.checkSingleKey(profile) } catch { throw fail(fields["operations"], "operations", "\(error)") }
        }
        return profile
    }

    func arrival(_ node: Node) throws(ProfileError) -> ArrivalSpec {
        if let scalar = node.scalar {
            guard ["closed", "closed-loop"].contains(scalar.string.lowercased()) else {
                throw fail(node, "arrival", "expected a mapping (kind: constant, rate: 1000) or `closed`")
            }
            return .closedLoop
        }
        let fields = try mapping(node, "arrival", allowed: ["kind", "rate", "from", "to", "over", "steps"])
        guard let kindNode = fields["kind"] else { throw fail(node, "arrival.kind", "missing: constant, poisson, ramp, steps or closed") }
        func rate(_ name: String) throws(ProfileError) -> Double {
            guard let value = fields[name] else { throw fail(node, "arrival.\(name)", "missing") }
            return try double(value, "arrival.\(name)", min: 0, max: 10_000_000, exclusiveMin: true)
        }
        switch try string(kindNode, "arrival.kind").lowercased() {
        case "constant": return .constant(rate: try rate("rate"))
        case "poisson": return .poisson(rate: try rate("rate"))
        case "ramp":
            guard let over = fields["over"] else { throw fail(node, "arrival.over", "missing: how long the ramp takes (30s)") }
            return .ramp(from: try rate("from"), to: try rate("to"), seconds: try seconds(over, "arrival.over", allowZero: false))
        case "steps":
            guard let stepsNode = fields["steps"] else { throw fail(node, "arrival.steps", "missing: - {rate: 1000, for: 10s}") }
            var steps: [ArrivalSpec.Step] = []
            for (index, stepNode) in try sequence(stepsNode, "arrival.steps").enumerated() {
                let field = "arrival.steps[\(index)]"
                let step = try mapping(stepNode, field, allowed: ["rate", "for"])
                guard let rateNode = step["rate"], let forNode = step["for"] else {
                    throw fail(stepNode, field, "each step needs rate and for")
                }
                steps.append(
                    .init(
                        rate: try double(rateNode, "\(field).rate", min: 0, max: 10_000_000, exclusiveMin: true),
                        seconds: try seconds(forNode, "\(field).for", allowZero: false)))
            }
            guard !steps.isEmpty else { throw fail(stepsNode, "arrival.steps", "needs at least one step") }
            return .steps(steps)
        case "closed", "closed-loop": return .closedLoop
        case let other:
            throw fail(kindNode, "arrival.kind", "`\(other)` is not constant, poisson, ramp, steps or closed")
        }
    }

    func distribution(_ node: Node, _ field: String, keyCount: UInt64) throws(ProfileError) -> KeyDistribution {
        if let scalar = node.scalar {
            switch scalar.string.lowercased() {
            case "uniform": return .uniform
            case "sequential": return .sequential
            case "zipfian", "zipf": return .zipfian(theta: 0.99)
            case "scrambled-zipfian": return .scrambledZipfian(theta: 0.99)
            case "latest": return .latest(theta: 0.99)
            case "hotspot": return .hotspot(hotSetFraction: 0.2, hotOperationFraction: 0.8)
            case "exponential": return .exponential(percentile: 95, fraction: 0.8571428571)
            default:
                throw fail(
                    node, field,
                    "`\(scalar.string)` is not a distribution (uniform, zipfian, scrambled-zipfian, hotspot, latest, sequential, exponential, weighted)"
                )
            }
        }
        let fields = try mapping(node, field, allowed: ["kind", "theta", "hotSet", "hotOperations", "percentile", "fraction", "keys", "tail"])
        guard let kindNode = fields["kind"] else { throw fail(node, "\(field).kind", "missing") }
        func theta() throws(ProfileError) -> Double {
            guard let value = fields["theta"] else { return 0.99 }
            return try double(value, "\(field).theta", min: 0, max: 0.999999, exclusiveMin: true)
        }
        switch try string(kindNode, "\(field).kind").lowercased() {
        case "uniform": return .uniform
        case "sequential": return .sequential
        case "zipfian", "zipf": return .zipfian(theta: try theta())
        case "scrambled-zipfian", "scrambled": return .scrambledZipfian(theta: try theta())
        case "latest": return .latest(theta: try theta())
        case "hotspot":
            let hotSet =
                try fields["hotSet"].map { n throws(ProfileError) in try double(n, "\(field).hotSet", min: 0, max: 1, exclusiveMin: true) } ?? 0.2
            let hotOps = try fields["hotOperations"].map { n throws(ProfileError) in try double(n, "\(field).hotOperations", min: 0, max: 1) } ?? 0.8
            return .hotspot(hotSetFraction: hotSet, hotOperationFraction: hotOps)
        case "exponential":
            let percentile =
                try fields["percentile"].map { n throws(ProfileError) in try double(n, "\(field).percentile", min: 0, max: 99.999, exclusiveMin: true)
                } ?? 95
            let fraction =
                try fields["fraction"].map { n throws(ProfileError) in try double(n, "\(field).fraction", min: 0, max: 1, exclusiveMin: true) }
                ?? 0.8571428571
            return .exponential(percentile: percentile, fraction: fraction)
        case "weighted":
            guard let keysNode = fields["keys"] else { throw fail(node, "\(field).keys", "missing: - {key: \"user:42\", share: 0.1}") }
            var entries: [WeightedKey] = []
            var total = 0.0
            for (index, entryNode) in try sequence(keysNode, "\(field).keys").enumerated() {
                let entryField = "\(field).keys[\(index)]"
                let entry = try mapping(entryNode, entryField, allowed: ["key", "keyBase64", "share"])
                guard let shareNode = entry["share"] else { throw fail(entryNode, "\(entryField).share", "missing") }
                let share = try double(shareNode, "\(entryField).share", min: 0, max: 1)
                let key: Key
                if let text = entry["key"] {
                    key = Key(try string(text, "\(entryField).key"))
                } else if let encoded = entry["keyBase64"] {
                    guard let data = Data(base64Encoded: try string(encoded, "\(entryField).keyBase64")) else {
                        throw fail(encoded, "\(entryField).keyBase64", "not valid base64")
                    }
                    key = Key([UInt8](data))
                } else {
                    throw fail(entryNode, entryField, "needs key or keyBase64")
                }
                total += share
                entries.append(WeightedKey(key: key, share: share))
            }
            guard total <= 1 + 1e-9 else { throw fail(keysNode, "\(field).keys", "shares add up to \(total), more than 1") }
            var tail: KeyDistribution?
            if let tailNode = fields["tail"] {
                tail = try distribution(tailNode, "\(field).tail", keyCount: keyCount)
                if case .weighted = tail { throw fail(tailNode, "\(field).tail", "the tail cannot itself be weighted") }
            } else if total < 1 - 1e-9 {
                // Without a tail the listed shares are renormalised to 1.
                entries = entries.map { WeightedKey(key: $0.key, share: $0.share / max(total, 1e-12)) }
            }
            guard !entries.isEmpty || tail != nil else { throw fail(keysNode, "\(field).keys", "needs at least one key") }
            return .weighted(entries: entries, tail: tail)
        case let other:
            throw fail(
                kindNode, "\(field).kind",
                "`\(other)` is not uniform, zipfian, scrambled-zipfian, hotspot, latest, sequential, exponential or weighted")
        }
    }

    func operations(
        _ node: Node, _ field: String, scheme: LoadTarget.Scheme,
        memcached: MemcachedProtocol = .text
    ) throws(ProfileError) -> [OperationSpec] {
        var out: [OperationSpec] = []
        for (index, item) in try sequence(node, field).enumerated() {
            let itemField = "\(field)[\(index)]"
            let fields = try mapping(item, itemField, allowed: ["op", "weight", "keys"])
            guard let opNode = fields["op"] else { throw fail(item, "\(itemField).op", "missing") }
            let name = try string(opNode, "\(itemField).op")
            let kind: OperationSpec.Kind
            switch (scheme, name.uppercased()) {
            case (.redis, "GET"), (.memcached, "GET"): kind = .get
            case (.redis, "SET"), (.memcached, "SET"): kind = .set
            case (.redis, "MGET"), (.memcached, "MULTI-GET"), (.memcached, "MGET"), (.memcached, "GET-MULTI"): kind = .multiGet
            case (.redis, "DEL"), (.memcached, "DELETE"): kind = .delete
            case (.redis, "INCR"), (.memcached, "INCR"): kind = .incr
            case (.http, "GET"): kind = .httpGet
            case (.http, "POST"): kind = .httpPost
            case (.amqp, "PUBLISH"), (.amqp, "BASIC.PUBLISH"): kind = .publish
            default:
                let allowed =
                    switch scheme {
                    case .redis: "GET, SET, MGET, DEL, INCR"
                    case .memcached: "get, multi-get, set, delete, incr"
                    case .http: "GET, POST"
                    case .amqp: "publish"
                    }
                throw fail(opNode, "\(itemField).op", "`\(name)` is not an operation for \(scheme.rawValue) (\(allowed))")
            }
            if kind == .multiGet, scheme == .memcached, memcached != .text {
                throw fail(
                    opNode, "\(itemField).op",
                    "memcached \(memcached.rawValue) has no multi-key get (one key per request); use get, or protocol: text")
            }
            var keys = 1
            if let keysNode = fields["keys"] {
                guard kind == .multiGet else { throw fail(keysNode, "\(itemField).keys", "only multi-key operations (MGET, multi-get) take keys") }
                keys = try int(keysNode, "\(itemField).keys", min: 1, max: 1_000)
            } else if kind == .multiGet {
                keys = 10
            }
            let weight = try fields["weight"].map { n throws(ProfileError) in try double(n, "\(itemField).weight", min: 0, max: 1e9) } ?? 1
            out.append(OperationSpec(kind: kind, keys: keys, weight: weight))
        }
        guard out.contains(where: { $0.weight > 0 }) else { throw fail(node, field, "needs at least one operation with a positive weight") }
        return out
    }

    /// The `amqp:` section (all optional: the default exchange, confirms on, nothing declared).
    func amqpSettings(_ node: Node?) throws(ProfileError) -> AMQPSettings {
        var settings = AMQPSettings()
        guard let node else { return settings }
        let fields = try mapping(
            node, "amqp",
            allowed: ["exchange", "exchangeType", "confirms", "queues", "purge", "consumers", "prefetch", "user", "password", "vhost"])
        func name(_ node: Node, _ field: String) throws(ProfileError) -> [UInt8] {
            let bytes = Array(try string(node, field).utf8)
            guard bytes.count <= 255 else { throw fail(node, field, "AMQP names are at most 255 bytes") }
            return bytes
        }
        func flag(_ node: Node, _ field: String) throws(ProfileError) -> Bool {
            switch try string(node, field).lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            case let other: throw fail(node, field, "`\(other)` is not true or false")
            }
        }
        if let node = fields["exchange"] { settings.exchange = try name(node, "amqp.exchange") }
        if let node = fields["exchangeType"] {
            guard !settings.exchange.isEmpty else { throw fail(node, "amqp.exchangeType", "the default exchange (\"\") cannot be declared") }
            settings.exchangeType = try string(node, "amqp.exchangeType")
        }
        if let node = fields["confirms"] { settings.confirms = try flag(node, "amqp.confirms") }
        if let node = fields["purge"] { settings.purge = try flag(node, "amqp.purge") }
        if let node = fields["queues"] {
            for (index, item) in try sequence(node, "amqp.queues").enumerated() {
                let field = "amqp.queues[\(index)]"
                if item.scalar != nil {
                    settings.queues.append(.init(name: try name(item, field)))
                    continue
                }
                let queue = try mapping(item, field, allowed: ["name", "bind"])
                guard let nameNode = queue["name"] else { throw fail(item, "\(field).name", "missing") }
                let binding = try queue["bind"].map { n throws(ProfileError) in try name(n, "\(field).bind") }
                if binding != nil, settings.exchange.isEmpty {
                    throw fail(queue["bind"], "\(field).bind", "the default exchange binds every queue by its name already")
                }
                settings.queues.append(.init(name: try name(nameNode, "\(field).name"), bindingKey: binding))
            }
        }
        if let node = fields["consumers"] {
            guard !settings.queues.isEmpty else { throw fail(node, "amqp.consumers", "consumers need amqp.queues to consume from") }
            settings.consumerConnections = try int(node, "amqp.consumers", min: 0, max: 1_000)
        }
        if let node = fields["prefetch"] { settings.prefetch = UInt16(try int(node, "amqp.prefetch", min: 1, max: 65_535)) }
        if let node = fields["user"] { settings.user = try string(node, "amqp.user") }
        if let node = fields["password"] { settings.password = try string(node, "amqp.password") }
        if let node = fields["vhost"] { settings.virtualHost = try string(node, "amqp.vhost") }
        return settings
    }

    func valueSize(_ node: Node) throws(ProfileError) -> ValueSize {
        let limit = 16 << 20
        let fields = try mapping(node, "values", allowed: ["size", "min", "max", "choices"])
        if let size = fields["size"] { return .fixed(try int(size, "values.size", min: 0, max: limit)) }
        if let minNode = fields["min"], let maxNode = fields["max"] {
            let low = try int(minNode, "values.min", min: 0, max: limit)
            let high = try int(maxNode, "values.max", min: low, max: limit)
            return .uniform(min: low, max: high)
        }
        if let choicesNode = fields["choices"] {
            var choices: [(size: Int, weight: Double)] = []
            for (index, item) in try sequence(choicesNode, "values.choices").enumerated() {
                let field = "values.choices[\(index)]"
                let choice = try mapping(item, field, allowed: ["size", "weight"])
                guard let size = choice["size"], let weight = choice["weight"] else { throw fail(item, field, "needs size and weight") }
                choices.append((try int(size, "\(field).size", min: 0, max: limit), try double(weight, "\(field).weight", min: 0)))
            }
            guard choices.contains(where: { $0.weight > 0 }) else { throw fail(choicesNode, "values.choices", "needs a positive weight") }
            return .choices(choices)
        }
        throw fail(node, "values", "give size, min and max, or choices")
    }

    func phase(_ node: Node, _ field: String, profile: LoadProfile) throws(ProfileError) -> Phase {
        let fields = try mapping(node, field, allowed: ["name", "from", "to", "rate", "operations", "hotShift", "flash"])
        guard let fromNode = fields["from"], let toNode = fields["to"] else { throw fail(node, field, "needs from and to (seconds from the start)") }
        var phase = Phase(fromSeconds: try seconds(fromNode, "\(field).from"), toSeconds: try seconds(toNode, "\(field).to"))
        guard phase.toSeconds > phase.fromSeconds else { throw fail(toNode, "\(field).to", "must be after from") }
        if let rate = fields["rate"] {
            guard profile.arrival.isOpenLoop else { throw fail(rate, "\(field).rate", "a closed-loop run has no rate to change") }
            phase.rate = try double(rate, "\(field).rate", min: 0, max: 10_000_000, exclusiveMin: true)
        }
        if let operations = fields["operations"] {
            phase.operations = try self.operations(
                operations, "\(field).operations", scheme: profile.target.scheme,
                memcached: profile.memcachedProtocol)
        }
        if let shift = fields["hotShift"] {
            phase.hotShift = UInt64(try int(shift, "\(field).hotShift", min: 0, max: Int(min(profile.keyCount, 10_000_000_000))))
        }
        if let flashNode = fields["flash"] {
            let flash = try mapping(flashNode, "\(field).flash", allowed: ["key", "share"])
            guard let key = flash["key"], let share = flash["share"] else { throw fail(flashNode, "\(field).flash", "needs key and share") }
            phase.flashKey = Key(try string(key, "\(field).flash.key"))
            phase.flashShare = try double(share, "\(field).flash.share", min: 0, max: 1)
        }
        return phase
    }
}

private extension Double {
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
