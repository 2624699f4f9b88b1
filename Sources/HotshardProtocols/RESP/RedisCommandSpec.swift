/// One Redis command as the server describes it in `COMMAND INFO`.
struct RedisCommandSpec: Sendable {
    let arity: Int
    let operation: OperationClass
    let movableKeys: Bool
    let blocking: Bool
    let pubsub: Bool
    let keySpecs: [RedisKeySpec]
}

/// A key specification (Redis 7): where the search for keys begins and how keys are found from there.
struct RedisKeySpec: Sendable {
    enum BeginSearch: Sendable {
        case index(Int)
        case keyword(String, startFrom: Int)
        case unknown
    }

    enum FindKeys: Sendable {
        case range(lastKey: Int, step: Int, limit: Int)
        case keyNum(keyNumIndex: Int, firstKey: Int, step: Int)
        case unknown
    }

    let begin: BeginSearch
    let find: FindKeys
    let reads: Bool
    let writes: Bool
}
