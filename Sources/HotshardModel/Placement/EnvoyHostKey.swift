#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text Envoy's ring hash and Maglev hash for a host (`hashKey` in thread_aware_lb_impl.h):
/// its address's `asString()` — for an IP address the canonical form `inet_ntop` prints
/// (address_impl.cc `makeFriendlyAddress`), so "[::1]:80" for IPv6 (brackets kept, zeros
/// compressed) and "10.0.0.1:80" for IPv4. A host that is not an IP literal is hashed as written:
/// Envoy hashes the address a name resolves to, which Hotshard cannot know, or the hostname with
/// `use_hostname_for_hashing`.
enum EnvoyHostKey {
    static func hashKey(_ server: ServerSpec) -> String {
        "\(canonicalHost(server.host)):\(server.port)"
    }

    /// The address as Envoy prints it: IPv6 in brackets, both families in inet_ntop's form.
    static func canonicalHost(_ host: String) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if host.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1,
                inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil
            else { return "[\(host)]" }
            return "[\(string(text))]"
        }
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1,
            inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil
        else { return host }
        return string(text)
    }

    /// Whether `text` is an IPv4 or IPv6 literal (without brackets).
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// The text inet_ntop wrote: the characters before the terminating zero.
    private static func string(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
