import Foundation
import Testing
@testable import HotshardModel

struct QueueModelTests {
    @Test func erlangCPublishedValues() {
        // Call Centre Helper's worked Erlang C example: 10 erlangs offered to 11 agents,
        // probability of waiting Pw = 0.6821 (68.21%).
        #expect(abs(QueueModel.erlangC(servers: 11, offeredLoad: 10) - 0.6821) < 0.00005)
        // Closed forms (Kleinrock, Queueing Systems vol. 1): C(1, a) = a; C(2, a) = a²/(2 + a).
        // a = 1, c = 2: 1/3 = 0.3333.
        #expect(abs(QueueModel.erlangC(servers: 2, offeredLoad: 1) - 0.3333) < 0.00005)
        #expect(abs(QueueModel.erlangC(servers: 1, offeredLoad: 0.7) - 0.7) < 1e-12)
    }

    @Test func mm1ExactValues() throws {
        // λ = 700, μ = 1000: mean response 1/(μ − λ) = 3.333 ms, p99 = ln(100)/(μ − λ) = 15.35 ms.
        let prediction = QueueModel(kind: .mm1, arrivalRate: 700, serviceRate: 1000).predict()
        let mean = try #require(prediction.meanSeconds), p99 = try #require(prediction.p99Seconds)
        #expect(abs(mean - 1.0 / 300) < 1e-12)
        #expect(abs(p99 - log(100) / 300) < 1e-9)
        // M/G/1 with SCV 1 is M/M/1.
        let mg1 = QueueModel(kind: .mg1, arrivalRate: 700, serviceRate: 1000, serviceSCV: 1).predict()
        #expect(abs((mg1.meanSeconds ?? 0) - mean) < 1e-12)
        // Pollaczek–Khinchine with deterministic service (SCV 0): Wq = ρ/(2μ(1−ρ)) = 1.1667 ms.
        let md1 = QueueModel(kind: .mg1, arrivalRate: 700, serviceRate: 1000, serviceSCV: 0).predict()
        #expect(abs((md1.meanSeconds ?? 0) - (0.7 / (2 * 1000 * 0.3) + 0.001)) < 1e-12)
    }

    @Test func saturationIsNeverANumber() {
        let full = QueueModel(kind: .mm1, arrivalRate: 1000, serviceRate: 1000).predict()
        #expect(full.isSaturated && full.p99Seconds == nil && full.meanSeconds == nil)
        #expect(QueueModel(kind: .mmc, arrivalRate: 4100, serviceRate: 1000, servers: 4).predict().isSaturated)
    }

    @Test(arguments: [(1, 700.0), (4, 2800.0), (8, 7200.0)])
    func simulationAgreesWithModel(_ servers: Int, _ lambda: Double) throws {
        // Tolerances: utilisation within 2% (absolute), p99 within 10% (relative), 200,000 customers.
        let kind: QueueModel.Kind = servers == 1 ? .mm1 : .mmc
        let model = QueueModel(kind: kind, arrivalRate: lambda, serviceRate: 1000, servers: servers).predict()
        let sim = QueueSimulation(arrivalRate: lambda, serviceRate: 1000, servers: servers).run()
        let p99 = try #require(model.p99Seconds)
        #expect(abs(sim.utilisation - model.utilisation) < 0.02)
        #expect(abs(sim.p99Seconds - p99) / p99 < 0.10)
    }
}
