/// What the capture's health means for trusting the numbers: a level and one sentence per problem.
///
/// High: nothing was lost. Reduced: something was lost but under 1% of packets and requests, or
/// counts carry Space-Saving error bounds. Low: 1% or more lost, kernel drops, or the input was cut short.
struct ConfidenceAssessment {
    enum Level: String { case high, reduced, low }

    private(set) var level: Level = .high
    private(set) var findings: [String] = []

    init(_ document: ResultDocument) {
        let capture = document.capture
        let packets = max(capture.packets, 1)
        let requests = max(document.totals.requests, 1)
        func fraction(_ count: Int, of total: Int) -> Double { Double(count) / Double(total) }
        func note(_ text: String, lost: Double) {
            findings.append(text)
            raise(lost >= 0.01 ? .low : .reduced)
        }
        if let drops = capture.kernelDrops, drops > 0 {
            findings.append(
                "The kernel dropped \(ReportFormat.integer(drops)) packets: requests in them were never seen, so counts and rates are lower bounds; shares hold only if drops hit all keys alike. A larger --buffer-size (the kernel ring, in MB) keeps up."
            )
            raise(.low)
        }
        if let drops = capture.interfaceDrops, drops > 0 {
            note("The interface dropped \(ReportFormat.integer(drops)) packets: counts are lower bounds.", lost: fraction(drops, of: packets))
        }
        if capture.gaps > 0 {
            note(
                "\(ReportFormat.integer(capture.gaps)) gaps in TCP streams (\(ReportFormat.bytes(capture.gapBytes)) missing): requests inside a gap are lost and the parser resynchronised after it.",
                lost: fraction(capture.gaps, of: packets))
        }
        if capture.truncated > 0 {
            note(
                "\(ReportFormat.integer(capture.truncated)) packets were cut by the snapshot length: their missing bytes count as gaps.",
                lost: fraction(capture.truncated, of: packets))
        }
        if capture.malformed > 0 {
            note("\(ReportFormat.integer(capture.malformed)) malformed packets were skipped.", lost: fraction(capture.malformed, of: packets))
        }
        if capture.unsupportedLinkType > 0 {
            note(
                "\(ReportFormat.integer(capture.unsupportedLinkType)) packets had a link type Hotshard does not read and were not analysed.",
                lost: fraction(capture.unsupportedLinkType, of: packets))
        }
        for (cap, hits) in capture.capsHit.sorted(by: { $0.key < $1.key }) where hits > 0 {
            note(
                "The \(cap) cap was hit \(ReportFormat.integer(hits)) times: traffic beyond it was not reassembled.",
                lost: fraction(hits, of: packets))
        }
        if let parser = document.protocolHealth {
            if parser.parseErrors > 0 {
                note(
                    "\(ReportFormat.integer(parser.parseErrors)) protocol messages could not be parsed (\(ReportFormat.integer(parser.resyncs)) resynchronisations, \(ReportFormat.bytes(parser.skippedBytes)) skipped).",
                    lost: fraction(parser.parseErrors, of: requests))
            }
            let unpaired = parser.unpairedReplies.saturatingAdd(parser.unansweredRequests)
            if unpaired > 0 {
                findings.append(
                    "\(ReportFormat.integer(parser.unansweredRequests)) requests without a reply and \(ReportFormat.integer(parser.unpairedReplies)) replies without a request: latency, hit ratio and reply bytes leave them out."
                )
                raise(.reduced)
            }
        }
        for problem in document.inputProblems ?? [] {
            findings.append("Input problem: \(KeyText(text: problem).full) — the result covers what came before it.")
            raise(.low)
        }
        if !document.tracking.exact {
            findings.append(
                "More keys than the \(ReportFormat.integer(document.tracking.capacity)) tracked slots: each count carries an error bound (true count between count − bound and count); keys marked guaranteed are certainly above every untracked key."
            )
            raise(.reduced)
        }
        if findings.isEmpty {
            findings.append("Nothing was lost: no drops, gaps, truncated or malformed packets, no parse errors, and every key was counted exactly.")
        }
    }

    private mutating func raise(_ to: Level) {
        switch (level, to) {
        case (.high, _), (.reduced, .low): level = to
        default: break
        }
    }

    var summary: String {
        switch level {
        case .high: "High confidence: the numbers cover all the traffic that was captured."
        case .reduced: "Reduced confidence: the numbers are close but not complete; see below."
        case .low: "Low confidence: a significant part of the traffic was lost or unreadable; treat counts as lower bounds."
        }
    }
}
