/// A request the schedule made due, not yet written: it keeps its intended send time while it
/// waits, so that its corrected latency counts the wait.
struct ScheduledRequest {
    var request: PreparedRequest
    var intendedNanos: Int64
}
