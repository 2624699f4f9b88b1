/// Replies in a row with the same latencies (µs), recorded in the histograms at once with their
/// count: a connection's requests went out in one write and are answered in one read, so runs
/// are long and recording them whole saves a histogram update per reply.
struct LatencyRun: Equatable {
    var serviceMicros: UInt64
    var correctedMicros: UInt64
    /// Replies in the run (warm-up ones included: progress counts them).
    var count: Int
    /// Of them, the measured ones (the run's histograms count these).
    var measuredCount: Int
}
