import Foundation
import HotshardTestSupport
import Synchronization
import Testing

@testable import HotshardLoad

extension RealServerSuites {
    /// A load run's live states stop when `run` returns: the caller publishes its final values
    /// then, and a live state posted after them replaced the result's values on the metrics
    /// endpoint (the reporter's cancelled sleep fell through to one more post).
    @Suite struct LiveStateEndTests {
        @Test(.enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
        func noLiveStateAfterTheRunReturns() async throws {
            let server = try RealServer(.redis)
            defer { LoadTestSupport.stop(server) }
            let runner = LoadRunner(
                profile: try LoadTestSupport.profile(
                    """
                    target: redis://127.0.0.1:\(server.port)
                    connections: 2
                    pipeline: 4
                    seed: 7
                    arrival:
                      kind: constant
                      rate: 2000
                    warmup: 0s
                    duration: 2500ms
                    keys:
                      count: 100
                      distribution:
                        kind: uniform
                    operations:
                      - op: GET
                        weight: 1
                    """))
            // (states seen, states seen after `run` returned, whether it has returned)
            let seen = Mutex((all: 0, late: 0, returned: false))
            runner.onLiveState = { _ in
                seen.withLock { state in
                    state.all += 1
                    if state.returned { state.late += 1 }
                }
            }
            let run = try await runner.run()
            seen.withLock { $0.returned = true }
            try await Task.sleep(nanoseconds: 1_500_000_000)
            let (all, late, _) = seen.withLock { $0 }
            #expect(run.requestsSent == 5_000, "2,000 a second for 2.5 s")
            #expect(all >= 1, "a 2.5 s run reports live states every second")
            #expect(late == 0, "\(late) live states came after the run returned")
        }
    }
}
