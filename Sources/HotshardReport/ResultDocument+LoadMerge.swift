import Histogram
import HotshardAnalysis
import HotshardLoad

extension ResultDocument {
    /// The result of a sharded load run (`load --shard I/N`) from its shards' results: exactly
    /// what one machine sending the whole sequence would have recorded. Counts add (requests,
    /// completions, errors by kind, per-key counts through the summary states' merge), the
    /// corrected and service HdrHistograms add bucket by bucket, per-second rows align on each
    /// shard's start time, and the profile's thresholds are evaluated again on the whole.
    ///
    /// Refused, with the files named: a result that is not a shard's, shards of different runs
    /// (another profile or overrides, seed or shard count), and a shard given twice — unless the
    /// two are identical (merged once) or one was interrupted and the other completed (a shard
    /// that was stopped and ran again: the completed one is merged, the note says so). Shards
    /// missing from the set are named in `inputProblems` and in the notes, and so are the shards' own problems.
    public static func mergeLoad(
        _ inputs: [(path: String, document: ResultDocument)], topKeys: Int
    ) throws(LoadMergeError) -> (document: ResultDocument, notes: [String]) {
        var notes: [String] = []
        var byShard: [Int: (path: String, document: ResultDocument, load: LoadSection)] = [:]
        var first: (path: String, shard: ShardIdentity)?
        for (path, document) in inputs {
            guard let load = document.load, document.source.kind == .load else {
                throw LoadMergeError("\(path): not a load result; load results merge only with load results")
            }
            guard let shard = load.shard else {
                throw LoadMergeError("\(path): not a shard of a sharded run (made without --shard); nothing to merge it with")
            }
            if let first {
                guard shard.count == first.shard.count, shard.seed == first.shard.seed, shard.profile == first.shard.profile else {
                    let what =
                        shard.profile != first.shard.profile
                        ? "another profile or other overrides"
                        : shard.seed != first.shard.seed
                            ? "seed \(shard.seed), not \(first.shard.seed)" : "\(shard.count) shards, not \(first.shard.count)"
                    throw LoadMergeError("\(path) and \(first.path) are shards of different runs (\(what))")
                }
            } else {
                first = (path, shard)
            }
            if let seen = byShard[shard.index] {
                if Self.sameMeasurement(seen.load, load) {
                    notes.append("\(path) is the same result as \(seen.path) (shard \(shard.index)): merged once")
                    continue
                }
                if seen.load.interrupted != load.interrupted {
                    let (keep, drop) = load.interrupted ? (seen.path, path) : (path, seen.path)
                    notes.append(
                        "shard \(shard.index): \(drop) was interrupted and \(keep) completed; merged \(keep) only")
                    if load.interrupted { continue }
                } else {
                    throw LoadMergeError(
                        "\(seen.path) and \(path) are two different results of shard \(shard.index)/\(shard.count); "
                            + "give one (a shard that was stopped and ran again: give the completed run)")
                }
            }
            byShard[shard.index] = (path, document, load)
        }
        guard let count = first?.shard.count else { throw LoadMergeError("no results to merge") }
        let kept = byShard.keys.sorted().compactMap { byShard[$0] }
        let missing = (0..<count).filter { byShard[$0] == nil }
        let missingNote =
            missing.isEmpty
            ? nil
            : "shards \(missing.map(String.init).joined(separator: ", ")) of \(count) are missing: "
                + "the merged result covers \(kept.count) of \(count) shards"
        if let missingNote { notes.append(missingNote) }
        var run = try Self.mergedRun(kept)
        var thresholds: [Threshold] = []
        for outcome in kept.first?.load.thresholds ?? [] {
            do { thresholds.append(try Threshold(parsing: outcome.rule)) } catch {
                throw LoadMergeError("\(kept.first?.path ?? ""): threshold `\(outcome.rule)`: \(error.description)")
            }
        }
        run.interrupted = kept.contains { $0.load.interrupted }
        var document = ResultDocument(
            load: run, profilePath: kept.first?.document.source.inputs.first ?? "", topKeys: topKeys,
            thresholds: thresholds)
        document.source = Source(kind: .load, inputs: kept.map(\.path))
        // Each shard's own problems (an unanswered AMQP close, an incomplete --hlog) are the merged run's too.
        let problems =
            kept.flatMap { shard in (shard.document.inputProblems ?? []).map { "\(shard.path): \($0)" } }
            + (missingNote.map { [$0] } ?? [])
        document.inputProblems = problems.isEmpty ? nil : problems
        return (document, notes)
    }

    /// The same run given twice: the same start, counts and histograms.
    static func sameMeasurement(_ a: LoadSection, _ b: LoadSection) -> Bool {
        a.startedAt == b.startedAt && a.requestsSent == b.requestsSent && a.completed == b.completed
            && a.errors == b.errors && a.correctedHistogram == b.correctedHistogram
            && a.serviceHistogram == b.serviceHistogram
    }

    /// The shards' runs added into one.
    static func mergedRun(
        _ shards: [(path: String, document: ResultDocument, load: LoadSection)]
    ) throws(LoadMergeError) -> LoadRun {
        var states: [AnalysisSnapshot] = []
        for shard in shards {
            guard let state = shard.document.summaryState else {
                throw LoadMergeError("\(shard.path): the result carries no summary state (written with --redact?)")
            }
            states.append(state)
        }
        let analysis: AnalysisSnapshot
        do { analysis = try AnalysisSnapshot.merged(states) } catch {
            throw LoadMergeError("the shards' per-key states do not merge: \(error)")
        }
        guard let head = shards.first?.load else { throw LoadMergeError("no results to merge") }
        var run = LoadRun(
            target: head.target, wireProtocol: head.wireProtocol, arrival: head.arrival, seed: head.seed,
            analysis: analysis)
        let base = shards.compactMap(\.load.startedAt).min() ?? 0
        run.startNanos = Int64((base * 1e9).rounded())
        run.startAtNanos = nil
        run.pipeline = head.pipeline
        run.scheme = head.scheme
        run.targetRate = 0
        for (path, _, load) in shards {
            run.connections += load.connections
            run.requestsSent += load.requestsSent
            run.completed += load.completed
            run.errorCount += load.errors
            run.errorsByKind.merge(load.errorsByKind, uniquingKeysWith: +)
            run.dropped += load.dropped
            run.timeouts += load.timeouts
            run.connectFailures += load.connectFailures
            run.reconnects += load.reconnects
            run.clientCPUSeconds += load.clientCPUSeconds
            run.measuredSeconds = max(run.measuredSeconds, load.measuredSeconds)
            run.warmupSeconds = max(run.warmupSeconds, load.warmupSeconds)
            run.targetRate = load.targetRate.flatMap { rate in run.targetRate.map { $0 + rate } }
            run.spanningRequests += load.spanningRequests ?? 0
            run.amqpConfirms = load.amqpConfirms ?? run.amqpConfirms
            for queue in load.deliveries ?? [] { run.amqpDeliveries[queue.queue, default: 0] += queue.deliveries }
            run.corrected = try add(load.correctedHistogram, to: run.corrected, path: path)
            run.service = try add(load.serviceHistogram, to: run.service, path: path)
            let offset = Int(((load.startedAt ?? base) - base).rounded())
            for second in load.seconds {
                let index = second.second + offset
                guard index >= 0, index < 7 * 86_400 else { continue }
                while run.seconds.count <= index {
                    run.seconds.append(LoadRun.Second(second: run.seconds.count, measured: second.measured))
                }
                run.seconds[index].sent += second.sent
                run.seconds[index].intended += second.intended
                run.seconds[index].completed += second.completed
                run.seconds[index].errors += second.errors
                run.seconds[index].measured = run.seconds[index].measured && second.measured
            }
            for (position, node) in (load.nodes ?? []).enumerated() {
                if run.nodes.count <= position { run.nodes.append(LoadRun.Node(name: node.name)) }
                run.nodes[position].sent += node.requests
                run.nodes[position].completed += node.completed
                run.nodes[position].errors += node.errors
                run.nodes[position].redirections += node.redirections
            }
        }
        return run
    }

    /// `total` plus the histogram encoded in `text` (nil: nothing recorded).
    static func add(
        _ text: String?, to total: Histogram<UInt64>?, path: String
    ) throws(LoadMergeError) -> Histogram<UInt64>? {
        guard let text else { return total }
        let histogram: Histogram<UInt64>
        do { histogram = try HdrHistogramCodec.decode(text) } catch {
            throw LoadMergeError("\(path): \(error.description)")
        }
        guard var total else { return histogram }
        guard total.lowestDiscernibleValue == histogram.lowestDiscernibleValue,
            total.numberOfSignificantValueDigits == histogram.numberOfSignificantValueDigits,
            total.highestTrackableValue >= histogram.highestTrackableValue
        else {
            throw LoadMergeError("\(path): its histograms have another bucket layout than the other shards'")
        }
        total.add(histogram)
        return total
    }
}
