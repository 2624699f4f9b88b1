import HotshardModel

extension TerminalSummary {
    /// The model's answer in a line or two, for the end of every run's summary: what the model was
    /// sized on, the recommended scheme and node count, and the top remedies with a count of the rest.
    public static func modelLines(_ model: ResultDocument.ModelSection, remediesShown: Int = 2) -> String {
        var out = "model      "
        if let sized = model.sizedOn {
            out +=
                sized.basis == .mean
                ? "sized on the whole run's mean"
                : "sized on the \(sized.basis == .peak ? "busiest" : "p99") \(format(sized.windowSeconds, 0)) s window (at \(format(sized.windowStart, 0)) s)"
        }
        let schemeLine = model.recommendations.first { $0.kind == .scheme }?.detail
        if model.capacityPerNode == nil, let needed = model.neededCapacityPerNode {
            out += "; no --node-capacity: "
            let best = schemeLine.map { $0.hasPrefix("use ") ? String($0.dropFirst(4).prefix { $0 != ":" }) : $0 } ?? "the most even scheme"
            let nodes = model.currentNodes.map(String.init) ?? "?"
            out += "at \(nodes) nodes under \(best) each node needs ≥ \(format(needed.rounded(.up), 0)) ops/s"
        } else if let schemeLine {
            out += "; " + schemeLine
        } else if let nodes = model.recommendations.first(where: { $0.kind == .nodes }) {
            out += "; " + nodes.detail
        }
        out += "\n"
        if let layout = model.observedLayout {
            let busiest = layout.servers.max { $0.rate < $1.rate }
            out += "servers    \(layout.servers.count) seen"
            if let busiest { out += "; busiest \(busiest.server) at \(format(busiest.rate, 0))/s in the sizing window" }
            out += "\n"
            if let scheme = layout.checkedScheme {
                if layout.misplaced.isEmpty {
                    out += "layout     all \(layout.checkedKeys) hot keys are where \(scheme) puts them among the servers seen\n"
                } else {
                    let first = layout.misplaced[0]
                    out += "layout     \(layout.misplaced.count) of \(layout.checkedKeys) hot keys are not where \(scheme) puts them"
                    out += " (e.g. '\(first.key.escaped)' on \(escapeText(first.observed)), \(scheme) says \(escapeText(first.predicted))):"
                    out += " the layout is not what \(scheme) predicts\n"
                }
            }
        }
        let remedies = model.recommendations.filter { $0.key != nil && ($0.kind == .split || $0.kind == .replicate || $0.kind == .cache) }
        var seen: [String] = []
        for remedy in remedies {
            guard let key = remedy.key else { continue }
            let name = key.escaped
            if seen.contains(name) { continue }
            seen.append(name)
        }
        for name in seen.prefix(remediesShown) {
            guard let remedy = remedies.first(where: { $0.key?.escaped == name }) else { continue }
            out += "remedy     '\(name)': \(remedy.detail)\n"
        }
        if seen.count > remediesShown {
            out +=
                "           and \(seen.count - remediesShown) more keys no node count fixes (the JSON's model.recommendations lists every remedy)\n"
        }
        return out
    }
}
