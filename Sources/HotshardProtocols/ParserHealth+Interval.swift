extension ParserHealth {
    /// What was counted after `earlier`, a reading of the same decoder's health: one interval's
    /// parser health for a rotating capture agent, so that the intervals' results add up to the
    /// whole run's. Counters that went backwards (none do) count as zero.
    public func since(_ earlier: ParserHealth) -> ParserHealth {
        var interval = ParserHealth()
        interval.parseErrors = max(0, parseErrors - earlier.parseErrors)
        interval.resyncs = max(0, resyncs - earlier.resyncs)
        interval.skippedBytes = max(0, skippedBytes - earlier.skippedBytes)
        interval.oversized = max(0, oversized - earlier.oversized)
        interval.unpairedReplies = max(0, unpairedReplies - earlier.unpairedReplies)
        interval.unansweredRequests = max(0, unansweredRequests - earlier.unansweredRequests)
        return interval
    }
}
