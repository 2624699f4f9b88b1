/// One request on its way from the capture reader to the replay worker, with its time in the
/// capture (ns from the first replayed request, later passes of `--loop` shifted on).
struct ReplayItem: Sendable {
    var captureNanos: Int64
    var request: PreparedRequest
    /// AMQP: `request` is a basic.publish method frame, to be sent on channel 1 with content of this
    /// many bytes (made at send time, so that waiting requests do not hold their bodies).
    var amqpBodySize: Int? = nil
}
