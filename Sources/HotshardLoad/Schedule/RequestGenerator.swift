import HotshardProtocols

/// Makes the requests of a profile, deterministically for a seed: the operation from the mix,
/// keys from the distribution (moved by hot-set shifts, replaced by a phase's flash key with
/// its share), the value size. O(log operations) per request plus the key distribution's cost.
public struct RequestGenerator: Sendable {
    private struct Mix: Sendable {
        var operations: [OperationSpec]
        var cumulative: [Double]
        init(_ operations: [OperationSpec]) {
            self.operations = operations.filter { $0.weight > 0 }
            var running = 0.0
            cumulative = self.operations.map {
                running += $0.weight; return running
            }
        }
        func pick(_ u: Double) -> OperationSpec {
            let target = u * (cumulative.last ?? 0)
            var low = 0, high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] > target { high = middle } else { low = middle + 1 }
            }
            return operations[max(0, low)]
        }
    }

    private let profile: LoadProfile
    private var sampler: KeySampler
    private var random: SeededGenerator
    private let baseMix: Mix
    private let phaseMixes: [Mix?]
    private let sizeChoices: Mix?
    // The profile's fields read per request, held apart: reading them through `profile` copied
    // the key format (its template and byte arrays) for every key.
    private let keyFormat: KeyFormat
    private let keyCount: UInt64
    private let phases: [Phase]
    private let explicitKeys: [Key]
    /// The keys' numbers for the analyzer (`LoadKeySpace`), stamped on each key when it numbers them.
    private let layout: LoadKeySpace.Layout

    public init(profile: LoadProfile, seed: UInt64) {
        self.profile = profile
        keyFormat = profile.keyFormat
        keyCount = profile.keyCount
        phases = profile.phases
        layout = LoadKeySpace.Layout(profile)
        sampler = KeySampler(profile.distribution, count: profile.keyCount)
        random = SeededGenerator(seed: seed)
        baseMix = Mix(profile.operations)
        phaseMixes = profile.phases.map { $0.operations.map(Mix.init) }
        if case .weighted(let entries, _) = profile.distribution {
            explicitKeys = entries.map(\.key)
        } else {
            explicitKeys = []
        }
        if case .choices(let choices) = profile.valueSize {
            sizeChoices = Mix(choices.map { OperationSpec(kind: .set, keys: $0.size, weight: $0.weight) })
        } else {
            sizeChoices = nil
        }
    }

    /// The request intended at `seconds` from the start of the run.
    public mutating func next(at seconds: Double) -> LoadRequest {
        draw(at: seconds, keep: true)
    }

    /// Advances past the request intended at `seconds` exactly as `next(at:)` would (the same
    /// random draws), without making its keys: how a shard or a worker passes over the requests
    /// that others send, so that all of them follow one sequence. No allocation.
    public mutating func skip(at seconds: Double) {
        _ = draw(at: seconds, keep: false)
    }

    /// One request's draws; with `keep` false its keys are sampled but not formatted or kept.
    private mutating func draw(at seconds: Double, keep: Bool) -> LoadRequest {
        var mixPhase: Int?
        var shift: UInt64 = 0
        var flash: (key: Key, share: Double, number: Int32)?
        for index in phases.indices where phases[index].contains(seconds) {
            if phaseMixes[index] != nil { mixPhase = index }
            if let hotShift = phases[index].hotShift { shift = hotShift }
            if let key = phases[index].flashKey {
                flash = (key, phases[index].flashShare, layout.numbered ? layout.flashNumbers[index] : -1)
            }
        }
        let u = random.nextDouble()
        let operation = if let mixPhase, let phaseMix = phaseMixes[mixPhase] { phaseMix.pick(u) } else { baseMix.pick(u) }
        var keys = KeyList()
        for index in 0..<operation.keys {
            if index == 0, let flash, random.nextDouble() < flash.share {
                if keep { keys.append(KeyReference(key: flash.key, index: flash.number)) }
                continue
            }
            let choice = sampler.next(&random)
            guard keep else { continue }
            switch choice {
            case .item(let item):
                let number = (item &+ shift) % keyCount
                keys.append(KeyReference(key: keyFormat.key(number), index: layout.numbered ? Int32(truncatingIfNeeded: number) : -1))
            case .explicit(let entry):
                keys.append(KeyReference(key: explicitKeys[entry], index: layout.numbered ? layout.explicitNumbers[entry] : -1))
            }
        }
        var size = 0
        if operation.kind == .set || operation.kind == .httpPost || operation.kind == .publish {
            switch profile.valueSize {
            case .fixed(let fixed): size = fixed
            case .uniform(let low, let high): size = low + Int(random.next(below: UInt64(high - low + 1)))
            case .choices: size = sizeChoices?.pick(random.nextDouble()).keys ?? 0
            }
        }
        return LoadRequest(kind: operation.kind, keys: keys, valueSize: size)
    }
}
