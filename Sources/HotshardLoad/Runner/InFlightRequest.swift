import HotshardProtocols

/// One request written to a connection and not yet answered: what the reply is measured against
/// (its intended and actual send times) and what a failure is analysed as (command, keys, bytes).
struct InFlightRequest {
    var intendedNanos: Int64
    var sentNanos: Int64
    /// False for requests of the warm-up: answered, but not counted.
    var measured: Bool
    /// The client's own requests (`HELLO 3`, `ASKING`): paired with their replies, never counted.
    var control: Bool
    /// Answered ahead of an older request (an AMQP confirm out of order): the window keeps it in
    /// its place, not counted, until the requests before it are answered (`PipelineWindow`). Held
    /// in the padding after `control`.
    var answered = false
    var command: String
    var operation: OperationClass
    var keys: KeyList
    var requestBytes: Int
    /// Redis Cluster: the request's bytes, to send again after a `MOVED` or `ASK`; nil elsewhere.
    var resend: [UInt8]? = nil
    /// Redirections the request has followed so far (a cluster in flux may send it around).
    var hops: UInt8 = 0

    /// The two latencies of a reply read at `repliedNanos`, as wrk2 measures them: `service` from
    /// the actual send, `corrected` from the intended send, so that a request that waited in the
    /// backlog behind a stall carries the wait (coordinated omission). Never negative: a clock read
    /// before the send (a reply fed in the same piece) counts as 0.
    func latency(repliedAt repliedNanos: Int64) -> (serviceNanos: Int64, correctedNanos: Int64) {
        (max(0, repliedNanos - sentNanos), max(0, repliedNanos - intendedNanos))
    }
}
