import HotshardProtocols

/// What stores that split ranges by load would do with a workload, using their documented defaults:
/// CockroachDB `kv.range_split.load_qps_threshold` 2,500 QPS; TiKV hot-region split
/// (`split.qps-threshold` 3,000 QPS sustained for `split.detect-times` 10 s); DynamoDB's
/// per-partition 3,000 RCU and 1,000 WCU (a read ≤ 4 KB = 1 RCU strongly consistent, a write
/// ≤ 1 KB = 1 WCU). A range holding the whole workload is the starting point; a split can only
/// help when the load is not carried by one key.
public enum SelfSplittingStores {
    /// One verdict per store: whether its load split would trigger on this workload and help.
    public static func verdicts(_ workload: Workload) -> [Plan.SelfSplittingVerdict] {
        let total = workload.totalRate
        let hottest = workload.hotKeys.max { $0.rate < $1.rate }
        let hotRate = hottest?.rate ?? 0
        let name = hottest.map { $0.key.escaped } ?? "-"
        func qpsVerdict(_ system: String, _ threshold: Double, _ thresholdText: String, _ extra: String) -> Plan.SelfSplittingVerdict {
            let triggers = total > threshold
            let helps = hotRate <= threshold
            let detail: String
            if !triggers {
                detail = "total \(format(total)) QPS stays under \(format(threshold)): no load-based split"
            } else if helps {
                detail =
                    "splits\(extra) until each range is under \(format(threshold)) QPS; the hottest key '\(name)' (\(format(hotRate)) QPS) fits one range"
            } else {
                detail =
                    "splits\(extra), but key '\(name)' alone carries \(format(hotRate)) QPS > \(format(threshold)): a range cannot be split inside one key, so its range stays hot"
            }
            return Plan.SelfSplittingVerdict(
                system: system, threshold: thresholdText, wouldTrigger: triggers,
                splitHelps: !triggers || helps, detail: detail)
        }
        var result = [
            qpsVerdict("CockroachDB", 2500, "kv.range_split.load_qps_threshold = 2500 QPS", ""),
            qpsVerdict("TiKV", 3000, "split.qps-threshold = 3000 QPS for 10 s", " (once sustained for 10 s)"),
        ]
        // DynamoDB: capacity units per key from its mean size (request + reply bytes as an upper bound).
        var keyMaxRCU = 0.0, keyMaxWCU = 0.0, totalRCU = 0.0, totalWCU = 0.0
        for key in workload.hotKeys {
            let reads = key.rate * key.readFraction, writes = key.rate - reads
            let rcu = reads * max(1, (key.meanBytes / 4096).rounded(.up))
            let wcu = writes * max(1, (key.meanBytes / 1024).rounded(.up))
            keyMaxRCU = max(keyMaxRCU, rcu); keyMaxWCU = max(keyMaxWCU, wcu)
            totalRCU += rcu; totalWCU += wcu
        }
        let triggers = totalRCU > 3000 || totalWCU > 1000
        let oneKey = keyMaxRCU > 3000 || keyMaxWCU > 1000
        let detail =
            oneKey
            ? "one partition key needs \(format(keyMaxRCU)) RCU / \(format(keyMaxWCU)) WCU, above a partition's 3,000 / 1,000: it is throttled whatever DynamoDB splits; write-shard the key (suffix 1…k) or cache reads"
            : triggers
                ? "hot keys total \(format(totalRCU)) RCU / \(format(totalWCU)) WCU: adaptive capacity / split-for-heat can spread them, no single key exceeds a partition"
                : "hot keys total \(format(totalRCU)) RCU / \(format(totalWCU)) WCU: within one partition's limits"
        result.append(
            Plan.SelfSplittingVerdict(
                system: "DynamoDB", threshold: "3000 RCU / 1000 WCU per partition",
                wouldTrigger: triggers, splitHelps: !oneKey, detail: detail))
        return result
    }
}
