import HotshardProtocols

/// What the worker holds while it decodes one piece of reply bytes (all read at one time): the
/// connection's requests in flight and the analysis batch, moved here for the piece (reached as
/// locals, not as the worker's and the connection's fields, once per reply), and the tally.
struct ReplyPiece {
    var window = PipelineWindow(depth: 0)
    var batch: [Message] = []
    /// The schedule's start in wall-clock ns (messages are stamped with wall-clock times).
    var startWall: Int64 = 0
    var tally = ReplyTally()
    /// Redis Cluster: reply bytes the decoded replies took so far (offset into the connection's
    /// `replyCarry`), and the redirected requests with where their reply lies there.
    var consumed = 0
    var redirects: [(request: InFlightRequest, start: Int, length: Int)] = []
}
