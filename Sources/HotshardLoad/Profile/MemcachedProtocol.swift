/// Which of memcached's three protocols a load speaks (`protocol:` in a profile).
public enum MemcachedProtocol: String, Sendable {
    /// `get k1 k2`, `set k 0 0 n`, `delete k`, `incr k 1`.
    case text
    /// `mg k v`, `ms k n`, `md k`, `ma k` (memcached 1.6+). One key per request: no multi-get.
    case meta
    /// 24-byte headers: GET, SET, DELETE, INCREMENT. One key per request: no multi-get.
    case binary
}
