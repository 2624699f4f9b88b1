/// A transport conversation, oriented: `client` opened it (seen by its SYN) or, when the
/// start was not captured, is the side guessed to be the client (see `TCPReassembler`).
public struct FlowID: Hashable, Sendable, CustomStringConvertible {
    public enum Transport: UInt8, Sendable { case tcp, udp }

    public var client: Endpoint
    public var server: Endpoint
    public var transport: Transport

    public init(client: Endpoint, server: Endpoint, transport: Transport) {
        self.client = client
        self.server = server
        self.transport = transport
    }

    public var description: String { "\(client) → \(server)/\(transport)" }
}

/// Which way bytes travel within a flow.
public enum FlowDirection: UInt8, Sendable {
    case clientToServer
    case serverToClient
}
