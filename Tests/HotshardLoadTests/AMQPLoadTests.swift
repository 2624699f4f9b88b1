import Foundation
import Synchronization
import Testing
import HotshardProtocols
import HotshardTestSupport
@testable import HotshardLoad

extension RealServerSuites {
    /// `load` and `replay` against a real RabbitMQ broker on loopback: what the run says it
    /// published, had confirmed and consumed is what the broker holds (its own queue counts, read
    /// by pika's passive queue.declare). Skipped, visibly, without root, rabbitmq-server or pika.
    @Suite(.serialized) struct AMQPLoadTests {
        static let enabled = RabbitMQBroker.isAvailable && RabbitMQBroker.pikaAvailable
        static let skip: Comment = "needs root, rabbitmq-server and python3 pika (make setup): skipped"

        /// Four routing keys rk.0…rk.3, each bound to its own queue on a direct exchange.
        static func profile(port: UInt16, requests: Int, confirms: Bool, consumers: Int) -> String {
            """
            target: amqp://127.0.0.1:\(port)
            protocol: amqp
            connections: 2
            pipeline: 32
            arrival: {kind: constant, rate: 3000}
            requests: \(requests)
            seed: 7
            keys: {count: 4, format: "rk.{n}", distribution: zipfian}
            values:
              choices:
                - {size: 10, weight: 5}
                - {size: 2000, weight: 3}
                - {size: 150000, weight: 1}
            operations: [{op: publish}]
            amqp:
              exchange: hs.load
              exchangeType: direct
              confirms: \(confirms)
              purge: true
              consumers: \(consumers)
              queues:
                - {name: lq.0, bind: rk.0}
                - {name: lq.1, bind: rk.1}
                - {name: lq.2, bind: rk.2}
                - {name: lq.3, bind: rk.3}
            """
        }

        /// Unconfirmed publishes to rk.0…rk.3 of `size` bytes, `rate` a second, with no consumers:
        /// `requests` of them, or as many as `seconds` take.
        static func unconfirmedProfile(
            port: UInt16, requests: Int? = nil, seconds: Int? = nil, size: Int = 10, rate: Int, timeout: String = "5s"
        ) -> String {
            """
            target: amqp://127.0.0.1:\(port)
            protocol: amqp
            connections: 2
            pipeline: 64
            arrival: {kind: constant, rate: \(rate)}
            \(requests.map { "requests: \($0)" } ?? "duration: \(seconds ?? 1)s")
            timeout: \(timeout)
            seed: 11
            keys: {count: 4, format: "rk.{n}", distribution: uniform}
            values: {size: \(size)}
            operations: [{op: publish}]
            amqp:
              exchange: hs.load
              exchangeType: direct
              confirms: false
              purge: true
              queues:
                - {name: lq.0, bind: rk.0}
                - {name: lq.1, bind: rk.1}
                - {name: lq.2, bind: rk.2}
                - {name: lq.3, bind: rk.3}
            """
        }

        static func counts(_ broker: RabbitMQBroker, _ queues: [String]) throws -> [String: Int] {
            (try broker.truthClient(["counts"] + queues)["counts"] as? [String: Int]) ?? [:]
        }

        /// What the queues hold after `published` publishes per routing key: lq.n is bound to rk.n.
        static func queues(holding published: [String: Int]) -> [String: Int] {
            ["lq.0": published["rk.0"] ?? 0, "lq.1": published["rk.1"] ?? 0, "lq.2": published["rk.2"] ?? 0, "lq.3": published["rk.3"] ?? 0]
        }

        static func keyCounts(_ run: LoadRun, prefix: String) -> [String: Int] {
            var out: [String: Int] = [:]
            for tracked in run.analysis.keys {
                guard let text = tracked.key.utf8Text, text.hasPrefix(prefix) else { continue }
                out[text] = tracked.count
            }
            return out
        }

        /// One broker for the three runs (it takes 6-15 s to start): each run purges or declares its own queues.
        @Test(.enabled(if: enabled, skip))
        func loadAndReplayAgainstOneBroker() async throws {
            let broker = try RabbitMQBroker()
            try await publishAndConfirmCountsEqualTheBrokers(broker)
            try await consumersCountEveryDeliveryAndDrainTheQueues(broker)
            try await unconfirmedPublishesReachTheirQueuesThoughTheBrokerFellBehind(broker)
            try await replayRepublishesTheCapturedPublishes(broker)
            // Last: the broker is paused and resumed.
            try await aBrokerThatStopsAnsweringHoldsTheEndForTheCloseTimeoutOnly(broker)
        }

        /// 1,200 confirmed publishes (bodies 10 B to 150 kB, two body frames) over 2 connections.
        func publishAndConfirmCountsEqualTheBrokers(_ broker: RabbitMQBroker) async throws {
            let run = try await LoadTestSupport.run(Self.profile(port: broker.port, requests: 1_200, confirms: true, consumers: 0))
            #expect(run.requestsSent == 1_200)
            #expect(run.completed == 1_200, "every publish confirmed")
            #expect(run.errorCount == 0, "\(run.errorsByKind)")
            #expect(run.amqpConfirms == true)
            // With confirms a publish's latency runs to its basic.ack: both histograms have them all.
            #expect(run.service?.totalCount == 1_200)
            #expect(run.corrected?.totalCount == 1_200)
            let published = Self.keyCounts(run, prefix: "rk.")
            let held = try Self.counts(broker, ["lq.0", "lq.1", "lq.2", "lq.3"])
            // The broker's queue counts are the run's per-routing-key publishes.
            #expect(held == Self.queues(holding: published))
            #expect(held.values.reduce(0, +) == 1_200)
            // Zipfian over 4 keys: rk.0 is the hottest.
            #expect((published["rk.0"] ?? 0) > (published["rk.3"] ?? 0))
        }

        /// 600 unconfirmed publishes, two consumer connections. Every connection of the run — the one
        /// that declares, two publishers, two consumers — closes with connection.close, as the
        /// broker's log tells: none of its "client unexpectedly closed TCP connection" warnings.
        func consumersCountEveryDeliveryAndDrainTheQueues(_ broker: RabbitMQBroker) async throws {
            let started = Date()
            let run = try await LoadTestSupport.run(Self.profile(port: broker.port, requests: 600, confirms: false, consumers: 2))
            #expect(
                broker.connections(since: started, closing: 5)
                    == RabbitMQConnectionLog(accepted: 5, closedWithHandshake: 5, closedOtherwise: 0, closedUnexpectedly: 0))
            #expect(run.amqpUnansweredCloses == 0)
            #expect(run.requestsSent == 600)
            // Without confirms a publish completes when written, with no latency measured.
            #expect(run.completed == 600)
            #expect(run.errorCount == 0, "\(run.errorsByKind)")
            #expect(run.service == nil)
            let published = Self.keyCounts(run, prefix: "rk.")
            var delivered: [String: Int] = [:]
            for (queue, count) in run.amqpDeliveries { delivered[queue.utf8Text ?? "?"] = count }
            #expect(delivered == Self.queues(holding: published).filter { $0.value > 0 })
            // The deliveries are in the analysis too, keyed by queue, each acknowledged.
            #expect(Self.keyCounts(run, prefix: "lq.") == delivered)
            #expect(try Self.counts(broker, ["lq.0", "lq.1", "lq.2", "lq.3"]).values.reduce(0, +) == 0, "the queues are drained")
        }

        /// 2,000 unconfirmed publishes of 10 kB in one second, sent while the broker is paused (from
        /// just before the run's shared start to 2 s after it): they fill the sockets' buffers and
        /// wait in the client, and the run has sent them all while the broker is still paused. Its
        /// connection.close goes after them, and the broker, once resumed, answers it only after its
        /// channel processed them: the queues hold every publish. Closed with the socket alone, the
        /// bytes the client had not yet written were dropped, and the broker shut the channel down
        /// with the socket: a share of the publishes never reached a queue.
        func unconfirmedPublishesReachTheirQueuesThoughTheBrokerFellBehind(_ broker: RabbitMQBroker) async throws {
            let profile = Self.unconfirmedProfile(port: broker.port, requests: 2_000, size: 10_000, rate: 2_000)
            let (run, paused) = try await Self.runPausing(broker, profile, resumeAfter: 2)
            #expect(paused, "the broker was paused before the run sent")
            #expect(run.requestsSent == 2_000)
            #expect(run.completed == 2_000)
            #expect(run.errorCount == 0, "\(run.errorsByKind)")
            #expect(run.amqpUnansweredCloses == 0)
            let published = Self.keyCounts(run, prefix: "rk.")
            let held = try Self.counts(broker, ["lq.0", "lq.1", "lq.2", "lq.3"])
            #expect(held == Self.queues(holding: published))
            #expect(held.values.reduce(0, +) == 2_000)
        }

        /// A 1 s run with the broker paused from just before its start to long after its end: neither
        /// publisher's connection.close is answered. Each waits the profile's 1 s timeout, then
        /// closes its socket, and the run returns and says so. (The broker is resumed 20 s after the
        /// start all the same: a close that waited without end is then answered, and fails the test
        /// instead of hanging it. Wall time is not asserted: under `make test` this test's awaits
        /// resume late behind tests that block the cooperative pool.)
        func aBrokerThatStopsAnsweringHoldsTheEndForTheCloseTimeoutOnly(_ broker: RabbitMQBroker) async throws {
            let profile = Self.unconfirmedProfile(port: broker.port, seconds: 1, rate: 200, timeout: "1s")
            let (run, paused) = try await Self.runPausing(broker, profile, resumeAfter: 20)
            broker.resume()
            #expect(paused, "the broker was paused before the run sent")
            #expect(run.amqpUnansweredCloses == 2)
            #expect(run.amqpCloseProblem?.hasPrefix("2 AMQP connections were closed without the broker's connection.close-ok") == true)
            #expect(run.problems == [run.amqpCloseProblem], "the result's inputProblems and the command's stderr")
            #expect(run.requestsSent == 200)
            #expect(run.errorCount == 0, "\(run.errorsByKind)")
        }

        /// Runs `profile` from a shared start (`--start-at`) 3 s away, by when its connections are
        /// open, with the broker paused (SIGSTOP) from 0.5 s before the start to `resumeAfter`
        /// seconds after it. Both are timed on a dispatch queue, not the test's task: tests that
        /// block the cooperative pool would delay them. Returns the run and whether the broker was paused.
        static func runPausing(_ broker: RabbitMQBroker, _ yaml: String, resumeAfter: Double) async throws -> (run: LoadRun, paused: Bool) {
            let lead = 3.0
            var profile = try LoadTestSupport.profile(yaml)
            profile.startAtNanos = Int64((Date().timeIntervalSince1970 + lead) * 1e9)
            let now = DispatchTime.now()
            let paused = Mutex(false)
            // Weak: a timer that outlives the test must not keep the broker (its deinit stops it). Held,
            // the 20 s resume kept it past the end of a run of this suite alone: the broker outlived
            // the test process.
            DispatchQueue.global().asyncAfter(deadline: now + lead - 0.5) { [weak broker] in
                let done = broker?.pause() ?? false
                paused.withLock { $0 = done }
            }
            DispatchQueue.global().asyncAfter(deadline: now + lead + resumeAfter) { [weak broker] in broker?.resume() }
            let run = try await LoadRunner(profile: profile).run()
            return (run, paused.withLock { $0 })
        }

        /// The committed pika capture (560 confirmed publishes on 4 routing keys) replayed at 4× speed
        /// into the same exchange and queues, declared fresh.
        func replayRepublishesTheCapturedPublishes(_ broker: RabbitMQBroker) async throws {
            struct Truth: Decodable {
                let publishes: [String: Int]
                let bindings: [String: String]
                let exchange: String
            }
            let truth = try JSONDecoder().decode(
                Truth.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("amqp/hot-routing-key.truth.json"))))
            _ = try broker.truthClient(["declare", truth.exchange] + truth.bindings.map { "\($0.key)=\($0.value)" })
            var options = ReplayOptions()
            try options.decoder.addPortOption("amqp=25672")
            options.timing = .original(speed: 4)
            let runner = ReplayRunner(
                files: [Fixtures.path("amqp/hot-routing-key.pcap.gz")],
                target: LoadTarget(scheme: .amqp, host: "127.0.0.1", port: Int(broker.port)), options: options)
            let run = try await runner.run()
            let total = truth.publishes.values.reduce(0, +)
            #expect(run.load.requestsSent == total)
            #expect(run.load.completed == total, "every republish confirmed")
            #expect(run.load.errorCount == 0, "\(run.load.errorsByKind)")
            #expect((run.skipped[.notPublish] ?? 0) > 0, "deliveries and declarations are not replayed")
            #expect(run.skipped[.incomplete] == nil && run.skipped[.bufferCap] == nil, "\(run.skipped)")
            let held = try Self.counts(broker, Array(truth.bindings.keys))
            var expected: [String: Int] = [:]
            for (queue, binding) in truth.bindings { expected[queue] = truth.publishes[binding] ?? 0 }
            #expect(held == expected)
        }
    }
}
