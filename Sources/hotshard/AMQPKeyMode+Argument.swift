import ArgumentParser
import HotshardProtocols

/// `--amqp-key routing-key|exchange`: the values and their error message come from the enum.
extension AMQPKeyMode: ExpressibleByArgument {}
