/// Why `--metrics-listen` could not listen: said before the run starts, so that a run never goes
/// unobserved because its endpoint failed.
enum MetricsServerError: Error, CustomStringConvertible {
    case badAddress(String, reason: String)
    case addressInUse(String)
    case cannotListen(String, reason: String)

    var description: String {
        switch self {
        case .badAddress(let address, let reason): "--metrics-listen \(address): \(reason)"
        case .addressInUse(let address):
            "--metrics-listen \(address): the address is in use (another process listens on that port); choose another port"
        case .cannotListen(let address, let reason): "--metrics-listen \(address): cannot listen: \(reason)"
        }
    }
}
