import Mustache

// Field lookup for the template's many-row types without `Mirror` (which rebuilds every child for
// each lookup and made a 1,000-key page take seconds). Names must match the properties.

extension ReportView.HotKeyRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "rank": rank
        case "keyShort": keyShort
        case "keyFull": keyFull
        case "shortened": shortened
        case "wireProtocol": wireProtocol
        case "count": count
        case "countExact": countExact
        case "share": share
        case "shareExact": shareExact
        case "cumulative": cumulative
        case "cumulativeExact": cumulativeExact
        case "reads": reads
        case "readsExact": readsExact
        case "writes": writes
        case "writesExact": writesExact
        case "bytes": bytes
        case "bytesExact": bytesExact
        case "bytesDetail": bytesDetail
        case "largest": largest
        case "largestExact": largestExact
        case "hitRatio": hitRatio
        case "hitRatioExact": hitRatioExact
        case "p99": p99
        case "p99Exact": p99Exact
        case "clients": clients
        case "clientsExact": clientsExact
        case "errorBound": errorBound
        case "errorBoundExact": errorBoundExact
        case "guaranteed": guaranteed
        case "hotSince": hotSince
        case "hotSinceExact": hotSinceExact
        case "measuredFrom": measuredFrom.isEmpty ? nil : measuredFrom
        default: nil
        }
    }
}

extension ReportView.Row: MustacheParent {
    func child(named name: String) -> Any? { name == "cells" ? cells : nil }
}

extension ReportView.Cell: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "text": text
        case "exact": exact
        case "hasExact": hasExact
        default: nil
        }
    }
}
