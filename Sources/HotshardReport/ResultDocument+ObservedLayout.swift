import HotshardModel
import HotshardProtocols

extension ResultDocument {
    /// Today's layout as the traffic showed it: each server's load at the sizing window, and the
    /// hot keys that are not where `scheme` (today's, when known) would put them among the servers seen.
    public struct ObservedLayout: Codable, Sendable {
        /// One server seen in the traffic and its load at the sizing window.
        public struct ServerRate: Codable, Sendable {
            /// The server's `host:port`.
            public var server: String
            /// Requests per second in the sizing window: the hot keys seen there plus its share of the tail.
            public var rate: Double
            /// `rate` over the model's capacity (given or needed).
            public var utilisation: Double
        }
        /// A hot key the traffic shows somewhere other than where the checked scheme puts it.
        public struct Misplaced: Codable, Sendable {
            /// The key (flattened as `key` or `keyBase64`).
            public var key: Key
            /// The server the key's first request went to.
            public var observed: String
            /// Where the scheme puts it among the servers seen.
            public var predicted: String
            /// Requests of the key that went to yet another server.
            public var offServerRequests: Int
            private enum CodingKeys: String, CodingKey { case observed, predicted, offServerRequests }
            /// An entry as given.
            public init(key: Key, observed: String, predicted: String, offServerRequests: Int) {
                self.key = key
                self.observed = observed
                self.predicted = predicted
                self.offServerRequests = offServerRequests
            }
            /// Reads the key flattened beside the fields.
            public init(from decoder: any Decoder) throws {
                key = try Key(from: decoder)
                let c = try decoder.container(keyedBy: CodingKeys.self)
                observed = try c.decode(String.self, forKey: .observed)
                predicted = try c.decode(String.self, forKey: .predicted)
                offServerRequests = try c.decode(Int.self, forKey: .offServerRequests)
            }
            /// Writes the key flattened beside the fields.
            public func encode(to encoder: any Encoder) throws {
                try key.encode(to: encoder)
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(observed, forKey: .observed)
                try c.encode(predicted, forKey: .predicted)
                try c.encode(offServerRequests, forKey: .offServerRequests)
            }
        }
        /// Each server seen (the "other servers" overflow entry left out), in the result's order (busiest first).
        public var servers: [ServerRate]
        /// The scheme the placement was checked against (today's, `--current-scheme`); nil: not checked.
        public var checkedScheme: String?
        /// Hot keys whose server is not the scheme's choice among the servers seen, or that went to
        /// more than one server: the layout is not what the scheme says.
        public var misplaced: [Misplaced]
        /// Hot keys checked (those with an observed server).
        public var checkedKeys: Int
    }

    /// The servers seen, as placement servers (the "other servers" overflow entry left out).
    var observedServers: [ServerSpec] {
        (servers ?? []).compactMap { try? ServerSpec.parse($0.server) }
    }

    /// Today's layout from the traffic itself, at the sizing window of `workload` (hot keys' rates
    /// there, by their observed server; the tail spread in proportion to each server's other key
    /// references over the run). Nil with fewer than two servers seen.
    func observedLayout(workload: Workload, capacity: Double, scheme: String?) -> ObservedLayout? {
        let entries = (servers ?? []).filter { (try? ServerSpec.parse($0.server)) != nil }
        guard entries.count >= 2 else { return nil }
        var rates: [String: Double] = [:]
        var hotReferences: [String: Int] = [:]
        for (index, hot) in workload.hotKeys.enumerated() where index < hotKeys.count {
            guard let server = hotKeys[index].server else { continue }
            rates[server, default: 0] += hot.rate
            hotReferences[server, default: 0] += hotKeys[index].count
        }
        let tailWeights = entries.map { Double(max(0, $0.keyReferences - (hotReferences[$0.server] ?? 0))) }
        let tailTotal = tailWeights.reduce(0, +)
        let perServer = entries.enumerated().map { index, entry in
            let rate = (rates[entry.server] ?? 0) + (tailTotal > 0 ? workload.tailRate * tailWeights[index] / tailTotal : 0)
            return ObservedLayout.ServerRate(server: entry.server, rate: rate, utilisation: capacity > 0 ? rate / capacity : 0)
        }
        var misplaced: [ObservedLayout.Misplaced] = []
        var checked = 0
        if let scheme, let placement = try? SchemeFactory.make(scheme, servers: entries.compactMap { try? ServerSpec.parse($0.server) }) {
            for entry in hotKeys {
                guard let observed = entry.server else { continue }
                checked += 1
                let predicted = placement.nodeNames[placement.node(for: entry.key)]
                let elsewhere = entry.offServerRequests ?? 0
                if Self.sameServer(predicted, observed) && elsewhere == 0 { continue }
                misplaced.append(.init(key: entry.key, observed: observed, predicted: predicted, offServerRequests: elsewhere))
            }
        }
        return ObservedLayout(servers: perServer, checkedScheme: scheme, misplaced: misplaced, checkedKeys: checked)
    }

    /// Whether two `host:port` names are one server (`[::1]:80` and `::1:80` alike).
    static func sameServer(_ a: String, _ b: String) -> Bool {
        guard let x = try? ServerSpec.parse(a), let y = try? ServerSpec.parse(b) else { return a == b }
        return x.host == y.host && x.port == y.port
    }
}
