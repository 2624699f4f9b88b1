/// A Redis Cluster redirection reply, `-MOVED 3999 127.0.0.1:6381` or `-ASK 3999 127.0.0.1:6381`
/// (the address may be `[::1]:6381`, or `:6381` when the node does not know its own IP — then
/// the seed's loopback address is meant). Nil for anything else.
struct ClusterRedirect: Equatable {
    var ask: Bool
    var slot: Int
    var host: String
    var port: Int

    init(ask: Bool, slot: Int, host: String, port: Int) {
        self.ask = ask
        self.slot = slot
        self.host = host
        self.port = port
    }

    init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count <= 512 else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingSuffix()
        guard text.hasPrefix("-") else { return nil }
        let parts = text.dropFirst().split(separator: " ")
        guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK",
            let slot = Int(parts[1]), (0..<16384).contains(slot),
            let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(parts[2][..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        self.ask = parts[0] == "ASK"
        self.slot = slot
        self.host = host
        self.port = port
    }
}

extension String {
    /// Without trailing CR and LF.
    fileprivate func trimmingSuffix() -> String {
        var text = Substring(self)
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text = text.dropLast() }
        return String(text)
    }
}
