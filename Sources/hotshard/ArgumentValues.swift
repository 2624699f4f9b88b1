import ArgumentParser
import HotshardAnalysis
import HotshardModel
import HotshardProtocols

// Options whose values are a closed set take them as types, so that `--help` lists the values,
// shell completion offers them, and argument-parser names the bad value and the good ones.

extension AnalysisConfiguration.RankBy: ExpressibleByArgument {}

extension PlanConfiguration.ReadPolicy: ExpressibleByArgument {}

extension HTTPKeyMode: ExpressibleByArgument {
    public init?(argument: String) { self.init(option: argument) }

    /// The fixed values; `header:NAME` and `query:NAME` name a header or query parameter.
    public static var allValueStrings: [String] { ["path", "path-query", "host-path", "route", "header:NAME", "query:NAME"] }

    public var defaultValueDescription: String {
        switch self {
        case .path: "path"
        case .pathWithQuery: "path-query"
        case .hostAndPath: "host-path"
        case .route: "route"
        case .header(let name): "header:\(name)"
        case .queryParameter(let name): "query:\(name)"
        }
    }
}

/// A placement scheme's name, one of `SchemeFactory.names` (aliases included).
struct SchemeName: ExpressibleByArgument, Hashable, CustomStringConvertible {
    var name: String

    init?(argument: String) {
        // Listed names, old names (with a warning where used) and `ketama-libmemcached`, the name `ketama` also answers to.
        guard SchemeFactory.isKnown(argument) else { return nil }
        name = argument
    }

    static var allValueStrings: [String] { SchemeFactory.names }
    var description: String { name }
    var defaultValueDescription: String { name }
}
