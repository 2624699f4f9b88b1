import HotshardAnalysis
import NIOCore

extension LoadRunner {
    /// Before an AMQP run: one connection declares the exchange (when a type is given), the queues,
    /// their bindings (and purges them when asked), then closes (connection.close); the consumers
    /// (if any) connect and start consuming. Fails with the broker's reply when it refuses a declaration.
    static func prepareAMQP(
        _ settings: AMQPSettings, target: LoadTarget, timeoutSeconds: Double, analysis: AnalysisConfiguration,
        loop: EventLoop
    ) async throws -> AMQPConsumerGroup? {
        let timeoutNanos = Int64(timeoutSeconds * 1e9)
        let steps = settings.setupSteps
        if !steps.isEmpty {
            let address = try SocketAddress(ipAddress: target.host, port: target.port)
            let (channel, _) = try await AMQPHandshakeHandler.connect(
                loop: loop, address: address, settings: settings, steps: steps, timeoutNanos: timeoutNanos,
                makeNext: { nil }
            ).get()
            // Every declaration was answered before this, so an unanswered close loses nothing here.
            _ = try? await AMQPCloseHandler.close(channel, timeoutNanos: timeoutNanos).get()
        }
        guard settings.consumerConnections > 0, !settings.queues.isEmpty else { return nil }
        let consumers = AMQPConsumerGroup(
            loop: loop, settings: settings, target: target, timeoutNanos: timeoutNanos, analysis: analysis)
        do {
            try await consumers.start().get()
        } catch {
            _ = try? await consumers.close().get()
            throw error
        }
        return consumers
    }
}
