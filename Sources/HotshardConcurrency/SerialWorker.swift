/// Jobs run one at a time, in the order given, on a `WorkerThread` of their own: work that must
/// not hold up its caller (a capture agent's interval writes on a slow or full disk) and must not
/// overlap itself.
public final class SerialWorker: Sendable {
    private struct Jobs {
        var pending: [@Sendable () -> Void] = []
        var busy = false
        var closed = false
    }

    private let jobs = Monitor(Jobs())
    private let thread: WorkerThread

    public init(name: String) {
        let jobs = self.jobs
        thread = WorkerThread(name: name) {
            while true {
                let next: (@Sendable () -> Void)? = jobs.wait(until: { !$0.pending.isEmpty || $0.closed }) { jobs in
                    guard !jobs.pending.isEmpty else { return nil }
                    jobs.busy = true
                    return jobs.pending.removeFirst()
                }
                guard let next else { return }
                next()
                jobs.update { $0.busy = false }
            }
        }
    }

    /// Queues `job` behind those already given; returns at once.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.update { $0.pending.append(job) }
    }

    /// Returns once every job given so far has run.
    public func drain() {
        jobs.wait(until: { $0.pending.isEmpty && !$0.busy }, then: { _ in })
    }

    /// Runs what is queued, then ends the thread; later jobs are not run.
    public func close() {
        drain()
        jobs.update { $0.closed = true }
        thread.join()
    }
}
