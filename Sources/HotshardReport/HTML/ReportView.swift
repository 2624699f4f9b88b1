/// What the template shows: every value already formatted as text (escaped by the template) or,
/// for the `…SVG` fields only, markup built by the `SVG…` types, which escape all text themselves.
/// Exact numbers go in `data-v` attributes so that tests and scripts read what the document holds.
struct ReportView {
    struct Figure {
        var id: String
        var label: String
        var value: String
        var exact: String
        var note: String
    }

    struct Row {
        var cells: [Cell]
    }

    struct Cell {
        var text: String
        var exact: String
        var hasExact: Bool
        init(_ text: String, exact: String? = nil) {
            self.text = text
            self.exact = exact ?? ""
            self.hasExact = exact != nil
        }
    }

    struct HotKeyRow {
        var rank: Int
        var keyShort: String
        var keyFull: String
        var shortened: Bool
        var wireProtocol: String
        var count: String
        var countExact: String
        var share: String
        var shareExact: String
        var cumulative: String
        var cumulativeExact: String
        var reads: String
        var readsExact: String
        var writes: String
        var writesExact: String
        var bytes: String
        var bytesExact: String
        var bytesDetail: String
        var largest: String
        var largestExact: String
        var hitRatio: String
        var hitRatioExact: String
        var p99: String
        var p99Exact: String
        var clients: String
        var clientsExact: String
        var errorBound: String
        var errorBoundExact: String
        var guaranteed: Bool
        var hotSince: String
        var hotSinceExact: String
        /// "from request 1,201 of 5,000" when the key's statistics began after its first request
        /// (it became a candidate for the top then); empty when they cover every request.
        var measuredFrom: String
    }

    struct Chart {
        var svg: String
        var caption: String
        var header: [String]
        var rows: [Row]
    }

    struct Scheme {
        var name: String
        var nodes: String
        var maxOverMean: String
        var recommended: Bool
        /// The scheme in use today (`plan --current-scheme`).
        var inUse: Bool
        var chartSVG: String
        var rows: [Row]
        var rowsNote: String
        /// The same scheme at today's node count, drawn beside the recommended layout.
        var current: Side?
        /// Stored: the template reads fields by reflection.
        var hasCurrent: Bool
    }

    /// One layout of a scheme: its chart and the busiest nodes' table.
    struct Side {
        var nodes: String
        var maxOverMean: String
        var chartSVG: String
        var rows: [Row]
        var rowsNote: String
    }

    struct Model {
        var capacity: String
        var target: String
        /// Which window the model was sized on, and why that matters.
        var sizedOn: String
        /// Today's layout, or how to give it.
        var today: String
        /// The busiest node over time, today and as recommended (absent without windows).
        var hottest: Hottest?
        /// Today's layout as the traffic showed it (several servers seen).
        var observed: Observed?
        /// Keys that alone carry more than a node's fair share.
        var fairShareRows: [Row]
        var hasFairShare: Bool
        var schemes: [Scheme]
        var queueSVG: String
        var queueRows: [Row]
    }

    struct Observed {
        var summary: String
        var serverRows: [Row]
        var misplacedRows: [Row]
        var hasMisplaced: Bool
    }

    struct Hottest {
        var svg: String
        var rows: [Row]
        var rowsNote: String
    }

    struct Recommendation {
        var kind: String
        var key: String
        var hasKey: Bool
        var keyFull: String
        var factor: String?
        var detail: String
    }

    struct Pair {
        var name: String
        var value: String
        var exact: String
    }

    struct HealthRow {
        var name: String
        var value: String
        var exact: String
        var meaning: String
        var flagged: Bool
    }

    var title: String
    var toolVersion: String
    var schemaVersion: String
    var sourceKind: String
    var sourceInputs: [String]
    var measured: String
    var verdict: String
    var figures: [Figure]
    var redaction: String?
    var confidenceLevel: String
    var confidenceSummary: String
    var confidenceFindings: [String]

    var hotKeyRows: [HotKeyRow]
    var hotKeysNote: String
    var heat: Chart?
    var traffic: Chart?
    var latency: Chart?
    var latencyOverTime: Chart?
    var latencyByCommand: [Row]
    var prefixes: [Row]
    var emerging: [Row]
    var popularity: String?
    var model: Model?
    var recommendations: [Recommendation]
    /// How many keys' remedies the page leaves to the JSON, when any.
    var recommendationsNote: String?
    var health: [HealthRow]
    var configuration: [Pair]
    var totals: [Pair]
    var hasPrefixes: Bool
    /// AMQP traffic: one row per queue (inflow, outflow, backlog, trend).
    var queues: [Row] = []
    var hasQueues = false
    /// The page's constants, set by `HTMLReport`: its CSP, CSS and script (never input).
    var csp = ""
    var style = ""
    var script = ""
    var hasEmerging: Bool
    var hasRecommendations: Bool
    var hasLatencyByCommand: Bool
    /// Replay runs: what was replayed, and the capture's latency beside the replay's.
    var replayNote: String?
    var replayByCommand: [Row] = []
    var replayHotKeys: [Row] = []
    /// A pool's run: per node, measured beside the model's prediction.
    var pool: Pool?

    struct Pool {
        var summary: String
        var note: String
        var rows: [Row]
    }
}
