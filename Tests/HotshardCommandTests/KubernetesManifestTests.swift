import Foundation
import HotshardLoad
import HotshardTestSupport
import Testing
import Yams

/// deploy/kubernetes/ and the Dockerfile, without a cluster: the manifests parse and hold what the
/// sharded load, the capture agents and the merge rely on, and the commands their pods run, run
/// here as processes with the environment the kubelet would give them (JOB_COMPLETION_INDEX
/// 0…N-1, the ConfigMaps' values, `$(VAR)` expanded) against a real redis-server on loopback.
@Suite struct KubernetesManifestTests {
    static let loadFile = "load-job.yaml", captureFile = "capture-daemonset.yaml", mergeFile = "merge-job.yaml"
    static let indexField = "metadata.annotations['batch.kubernetes.io/job-completion-index']"

    /// N, from the Job; the tests check that every other place agrees.
    static func shardCount() throws -> Int {
        try #require(try KubernetesManifests.workload(loadFile).spec["completions"] as? Int)
    }

    /// The load Job's pod of index `index`: its environment with the ConfigMaps' values (`run`
    /// replaces some) and the downward API's index.
    static func loadEnvironment(index: Int, run: [String: String] = [:]) throws -> [String: String] {
        var maps = try KubernetesManifests.configMaps()
        maps["hotshard-run", default: [:]].merge(run) { _, new in new }
        return try KubernetesManifests.workload(loadFile).environment(configMaps: maps, fields: [indexField: "\(index)"])
    }

    // MARK: - The manifests

    /// An Indexed Job of N pods, all at once, N also being the `--shards` every pod is given.
    @Test func loadJobIsIndexedWithNShards() throws {
        let job = try KubernetesManifests.workload(Self.loadFile)
        #expect(job.workload["kind"] as? String == "Job")
        #expect(job.spec["completionMode"] as? String == "Indexed")
        let n = try Self.shardCount()
        #expect(n >= 2)
        #expect(job.spec["parallelism"] as? Int == n, "every shard must run at once: they share one start time")
        #expect(job.pod["restartPolicy"] as? String == "Never")
        let run = try KubernetesManifests.envFile("run.env")
        #expect(run["SHARDS"] == "\(n)", "run.env SHARDS must equal the Job's completions")
        let arguments = job.commandLine(try Self.loadEnvironment(index: 0))
        #expect(Array(arguments.prefix(2)) == ["hotshard", "load"])
        #expect(Self.value(after: "--shards", in: arguments) == "\(n)")
        // Exit 4 (a threshold missed, result written) fails the index instead of resending it.
        let rules = (job.spec["podFailurePolicy"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        let onFour = rules.first { (($0["onExitCodes"] as? [String: Any])?["values"] as? [Int]) == [4] }
        #expect(onFour?["action"] as? String == "FailIndex")
        #expect(job.spec["backoffLimitPerIndex"] is Int, "FailIndex needs backoffLimitPerIndex")
    }

    /// Every pod gets the same `--start-at`, from the ConfigMap (not from anything per pod), and a
    /// result path of its own, on the shared ReadWriteMany volume.
    @Test func everyShardStartsAtTheSameTimeAndWritesItsOwnResult() throws {
        let job = try KubernetesManifests.workload(Self.loadFile)
        let n = try Self.shardCount()
        var starts = Set<String>(), results = Set<String>()
        for index in 0..<n {
            let arguments = job.commandLine(try Self.loadEnvironment(index: index))
            #expect(!arguments.contains { $0.contains("$(") }, "unexpanded: \(arguments)")
            starts.insert(try #require(Self.value(after: "--start-at", in: arguments)))
            let result = try #require(Self.value(after: "--json", in: arguments))
            #expect(result.hasSuffix("/shard-\(index).json"))
            results.insert(result)
            let mount = try #require(job.mount(holding: result), "\(result) is on no volume")
            #expect(!mount.readOnly)
            #expect(job.claim(of: mount) == "hotshard-results")
            let profile = try #require(arguments.dropFirst(2).first)
            let profileMount = try #require(job.mount(holding: profile))
            #expect((job.volume(profileMount.volume)?["configMap"] as? [String: Any])?["name"] as? String == "hotshard-profile")
        }
        #expect(starts == [try #require(KubernetesManifests.envFile("run.env")["START_AT"])])
        #expect(results.count == n)
        // The claim is ReadWriteMany: shards on different nodes write into it at once.
        let claim = try KubernetesManifests.document("results-pvc.yaml")
        #expect((claim["spec"] as? [String: Any])?["accessModes"] as? [String] == ["ReadWriteMany"])
    }

    /// The profile the ConfigMap carries is one `hotshard load` reads, aimed by run.env's TARGET.
    @Test func theProfileConfigMapIsAValidProfile() throws {
        let maps = try KubernetesManifests.configMaps()
        let text = try #require(maps["hotshard-profile"]?["profile.yaml"])
        let profile = try ProfileReader.parse(text, file: "profile.yaml")
        var overrides = ProfileOverrides()
        overrides.target = try #require(maps["hotshard-run"]?["TARGET"])
        #expect(throws: (any Error).self, "a remote target needs --allow-remote") { try overrides.apply(to: profile) }
        overrides.loopbackOnly = false
        let aimed = try overrides.apply(to: profile)
        #expect(!LoadTarget.isLoopback(aimed.target.host))
    }

    /// The load and merge pods would pass Pod Security's `restricted` level (only the capture
    /// agents need `privileged`, which namespace.yaml enforces).
    @Test(arguments: [loadFile, mergeFile])
    func loadAndMergePodsAreRestricted(_ file: String) throws {
        let workload = try KubernetesManifests.workload(file)
        let pod = workload.pod["securityContext"] as? [String: Any] ?? [:]
        #expect(pod["runAsNonRoot"] as? Bool == true)
        #expect((pod["runAsUser"] as? Int ?? 0) > 0)
        #expect((pod["seccompProfile"] as? [String: Any])?["type"] as? String == "RuntimeDefault")
        #expect(workload.securityContext["allowPrivilegeEscalation"] as? Bool == false)
        let capabilities = workload.securityContext["capabilities"] as? [String: Any] ?? [:]
        #expect(capabilities["drop"] as? [String] == ["ALL"] && capabilities["add"] == nil)
        #expect(workload.pod["hostNetwork"] as? Bool != true)
        let namespace = try KubernetesManifests.document("namespace.yaml")
        let labels = (namespace["metadata"] as? [String: Any])?["labels"] as? [String: Any]
        #expect(labels?["pod-security.kubernetes.io/enforce"] as? String == "privileged")
    }

    /// Host network, root with every capability dropped but NET_RAW and NET_ADMIN, results on the
    /// shared volume, Prometheus told where the metrics are.
    @Test func captureAgentsHaveHostNetworkAndOnlyTwoCapabilities() throws {
        let agents = try KubernetesManifests.workload(Self.captureFile)
        #expect(agents.workload["kind"] as? String == "DaemonSet")
        #expect(agents.pod["hostNetwork"] as? Bool == true)
        let capabilities = agents.securityContext["capabilities"] as? [String: Any] ?? [:]
        #expect(Set(capabilities["add"] as? [String] ?? []) == ["NET_RAW", "NET_ADMIN"])
        #expect((capabilities["add"] as? [String])?.count == 2)
        #expect(capabilities["drop"] as? [String] == ["ALL"])
        #expect(agents.securityContext["privileged"] as? Bool != true)
        #expect(agents.securityContext["allowPrivilegeEscalation"] as? Bool == false)

        let environment = try agents.environment(
            configMaps: try KubernetesManifests.configMaps(), fields: ["spec.nodeName": "node-a", "status.podIP": "10.0.0.5"])
        let arguments = agents.commandLine(environment)
        #expect(Array(arguments.prefix(3)) == ["hotshard", "analyze", "-i"])
        #expect(!arguments.contains { $0.contains("$(") }, "unexpanded: \(arguments)")
        let rotate = try KubernetesManifests.envFile("capture.env")["ROTATE"]
        #expect(Self.value(after: "--rotate", in: arguments) == rotate)
        let results = try #require(Self.value(after: "--output-dir", in: arguments))
        #expect(results == "/results/capture/node-a")
        #expect(Self.value(after: "--name", in: arguments) == "node-a")
        let mount = try #require(agents.mount(holding: results))
        #expect(!mount.readOnly && agents.claim(of: mount) == "hotshard-results")

        let listen = try #require(Self.value(after: "--metrics-listen", in: arguments))
        #expect(listen == "10.0.0.5:9464")
        let annotations = agents.podMetadata["annotations"] as? [String: Any] ?? [:]
        #expect(annotations["prometheus.io/scrape"] as? String == "true")
        let port = try #require(listen.split(separator: ":").last.map(String.init))
        #expect(annotations["prometheus.io/port"] as? String == port)
        let ports = agents.container["ports"] as? [[String: Any]] ?? []
        #expect(ports.contains { $0["containerPort"] as? Int == Int(port) })
    }

    /// The merge Job reads where the shards write: the same claim at the same path, the same RUN
    /// and SHARDS; a merged run that misses a threshold (exit 4) fails it without retries.
    @Test func mergeJobReadsWhatTheShardsWrite() throws {
        let merge = try KubernetesManifests.workload(Self.mergeFile)
        let load = try KubernetesManifests.workload(Self.loadFile)
        let maps = try KubernetesManifests.configMaps()
        let environment = try merge.environment(configMaps: maps, fields: [:])
        let results = try #require(environment["HOTSHARD_RESULTS"])
        let mount = try #require(merge.mount(holding: results))
        #expect(mount.path == results)
        #expect(merge.claim(of: mount) == "hotshard-results")
        let shardResult = try #require(Self.value(after: "--json", in: load.commandLine(try Self.loadEnvironment(index: 0))))
        #expect(shardResult == "\(results)/\(environment["HOTSHARD_RUN"] ?? "?")/load/shard-0.json")
        #expect(environment["HOTSHARD_SHARDS"] == "\(try Self.shardCount())")
        let rules = (merge.spec["podFailurePolicy"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        #expect(rules.contains { $0["action"] as? String == "FailJob" && (($0["onExitCodes"] as? [String: Any])?["values"] as? [Int]) == [4] })
    }

    /// kubectl's own kustomize renders the tree, and points every reference at the hashed
    /// ConfigMaps it generated.
    @Test(.enabled(if: ExternalTool.find("kubectl") != nil, "kubectl is not installed: skipped"))
    func kustomizeRendersTheTree() throws {
        let kubectl = try #require(ExternalTool.find("kubectl"))
        let rendered = try ExternalTool.run(kubectl, ["kustomize", KubernetesManifests.directory.path])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let documents = try Yams.load_all(yaml: rendered.stdout).compactMap { $0 as? [String: Any] }
        let kinds = documents.compactMap { $0["kind"] as? String }.sorted()
        #expect(kinds == ["ConfigMap", "ConfigMap", "ConfigMap", "DaemonSet", "Job", "Job", "Namespace", "PersistentVolumeClaim"])
        let generated = Set(
            documents.filter { $0["kind"] as? String == "ConfigMap" }.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String })
        for document in documents where ["Job", "DaemonSet"].contains(document["kind"] as? String) {
            let workload = try PodTemplate(document, file: "rendered")
            for (_, source) in try workload.env() {
                if case .configMap(let name, _) = source { #expect(generated.contains(name), "\(name) not generated") }
            }
            #expect((document["metadata"] as? [String: Any])?["namespace"] as? String == "hotshard")
        }
    }

    /// The image: a Swift build stage on this tree's toolchain, with libpcap-dev, building the
    /// static-runtime release binary; a slim Debian runtime with libpcap; SIGINT to stop.
    @Test func dockerfileBuildsTheStaticBinaryOnThisToolchain() throws {
        let text = try String(contentsOf: BuiltProduct.packageRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("FROM ") }.count == 2)
        let swiftImage = try #require(lines.first { $0.hasPrefix("ARG SWIFT_IMAGE=") }).dropFirst("ARG SWIFT_IMAGE=".count)
        #expect(swiftImage.hasPrefix("swift:6."))
        #expect(text.contains("libpcap-dev") && text.contains("libpcap0.8"))
        #expect(text.contains("swift build -c release --product hotshard --static-swift-stdlib"))
        #expect(lines.contains("STOPSIGNAL SIGINT"))
        // The image's Swift is the one this tree is built and tested with (major.minor).
        if let swift = ExternalTool.find("swift"), let version = try? ExternalTool.run(swift, ["--version"]).stdout,
            let range = version.range(of: #"Swift version (\d+\.\d+)"#, options: .regularExpression)
        {
            let minor = version[range].split(separator: " ").last.map(String.init) ?? ""
            #expect(swiftImage.hasPrefix("swift:\(minor)-"), "\(swiftImage) against \(minor)")
        }
    }

    // MARK: - The pods' commands, run here

    /// The merge Job's script, run as its pod would (on local folders for the volume): it waits
    /// until every shard's result is there, merges them and renders the report; one capture
    /// interval is rendered as it is. Analyze results of the two halves of a lab capture stand in
    /// for the shards (merge reads both kinds); their merged request count is the two halves' sum.
    @Test func mergeJobWaitsForEveryShardThenMerges() throws {
        let merge = try KubernetesManifests.workload(Self.mergeFile)
        let directory = try Fixtures.temporaryDirectory("hotshard-kube-merge")
        defer { try? FileManager.default.removeItem(at: directory) }
        let volume = directory.appendingPathComponent("volume"), results = directory.appendingPathComponent("parts")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        var requests = 0
        for (index, part) in ["part1", "part2"].enumerated() {
            let path = results.appendingPathComponent("shard-\(index).json").path
            let output = try CommandSurfaceTests.run([
                "analyze", Fixtures.path("lab/redis-flash-sale.\(part).pcap.gz"), "--quiet", "--no-html", "--json", path,
            ])
            #expect(output.status == 0, "\(output.stderr)")
            requests += try Self.requests(path)
        }
        var maps = try KubernetesManifests.configMaps()
        maps["hotshard-run"]?["SHARDS"] = "2"
        var environment = try merge.environment(configMaps: maps, fields: [:])
        environment["HOTSHARD_POLL_SECONDS"] = "0.2"
        let run = try #require(environment["HOTSHARD_RUN"])
        let load = volume.appendingPathComponent("\(run)/load"), capture = volume.appendingPathComponent("capture/node-a")
        for folder in [load, capture] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(at: results.appendingPathComponent("shard-0.json"), to: load.appendingPathComponent("shard-0.json"))
        try FileManager.default.copyItem(at: results.appendingPathComponent("shard-0.json"), to: capture.appendingPathComponent("interval.json"))

        let process = try merge.start(
            merge.commandLine(environment), environment: environment, folders: ["/results": volume.path], logs: directory, label: "merge")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(process.isRunning, "the merge must wait for shard 1")
        try FileManager.default.copyItem(at: results.appendingPathComponent("shard-1.json"), to: load.appendingPathComponent("shard-1.json"))
        process.waitUntilExit()
        let log = (try? String(contentsOf: directory.appendingPathComponent("merge.err"), encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "\(log)")
        let report = volume.appendingPathComponent("\(run)/report")
        for name in ["load.json", "load.html", "capture.json", "capture.html"] {
            #expect(FileManager.default.fileExists(atPath: report.appendingPathComponent(name).path), "\(name)")
        }
        #expect(try Self.requests(report.appendingPathComponent("load.json").path) == requests)
    }

    /// The load Job's command, as N processes with JOB_COMPLETION_INDEX 0…N-1 and one start time,
    /// against a real redis-server; then the merge Job's script. The server's own command counts
    /// equal the merged result's. The profile's 30 s are cut to 1 s (`--duration`, `--warmup`
    /// added after the Job's arguments) to keep the test fast.
    @Test(
        .enabled(if: RealServer.isAvailable(.redis), "redis-server is not installed: run make setup"))
    func loadJobRunsAsShardsAgainstRedis() throws {
        let server = try RealServer(.redis)
        let job = try KubernetesManifests.workload(Self.loadFile)
        let merge = try KubernetesManifests.workload(Self.mergeFile)
        let n = try Self.shardCount()
        let directory = try Fixtures.temporaryDirectory("hotshard-kube-load")
        defer { try? FileManager.default.removeItem(at: directory) }
        let volume = directory.appendingPathComponent("volume")
        let formatter = ISO8601DateFormatter()
        let run = [
            "START_AT": formatter.string(from: Date().addingTimeInterval(4)), "TARGET": "redis://127.0.0.1:\(server.port)",
            "RUN": "test",
        ]
        let folders = ["/results": volume.path, "/etc/hotshard/profile": KubernetesManifests.directory.path]
        let shards = try (0..<n).map { index in
            let environment = try Self.loadEnvironment(index: index, run: run)
            let commandLine = job.commandLine(environment) + ["--duration", "1s", "--warmup", "0s"]
            return try job.start(commandLine, environment: environment, folders: folders, logs: directory, label: "shard-\(index)")
        }
        for (index, shard) in shards.enumerated() {
            shard.waitUntilExit()
            let log = (try? String(contentsOf: directory.appendingPathComponent("shard-\(index).err"), encoding: .utf8)) ?? ""
            #expect([0, 4].contains(shard.terminationStatus), "shard \(index): \(log)")
        }
        var environment = try merge.environment(configMaps: try KubernetesManifests.configMaps(), fields: [:])
        environment["HOTSHARD_RUN"] = "test"
        let merged = try merge.start(merge.commandLine(environment), environment: environment, folders: folders, logs: directory, label: "merge")
        merged.waitUntilExit()
        let log = (try? String(contentsOf: directory.appendingPathComponent("merge.err"), encoding: .utf8)) ?? ""
        #expect([0, 4].contains(merged.terminationStatus), "\(log)")

        struct Result: Decodable {
            struct Totals: Decodable { let byCommand: [String: Int] }
            let totals: Totals
        }
        let data = try Data(contentsOf: volume.appendingPathComponent("test/report/load.json"))
        let byCommand = try JSONDecoder().decode(Result.self, from: data).totals.byCommand
        let calls = try RedisConnection(port: server.port).commandCalls()
        #expect(!byCommand.isEmpty)
        for (command, count) in byCommand { #expect(calls[command] == count, "\(command): server \(calls[command] ?? 0), merged \(count)") }
    }

    /// The capture agent's command, as the DaemonSet's pod would run it (the node `lo`'s, metrics
    /// on loopback), stopped after 2 s: the arguments are accepted and a result lands in the
    /// node's folder on the volume.
    @Test(
        .enabled(if: getuid() == 0, "live capture needs root or CAP_NET_RAW: skipped"))
    func captureAgentArgumentsRunHere() throws {
        let agents = try KubernetesManifests.workload(Self.captureFile)
        let directory = try Fixtures.temporaryDirectory("hotshard-kube-capture")
        defer { try? FileManager.default.removeItem(at: directory) }
        let volume = directory.appendingPathComponent("volume")
        let environment = try agents.environment(
            configMaps: try KubernetesManifests.configMaps(), fields: ["spec.nodeName": "node-a", "status.podIP": "127.0.0.1"])
        let process = try agents.start(
            agents.commandLine(environment) + ["--duration", "2"], environment: environment, folders: ["/results": volume.path],
            logs: directory, label: "agent")
        process.waitUntilExit()
        let log = (try? String(contentsOf: directory.appendingPathComponent("agent.err"), encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "\(log)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: volume.appendingPathComponent("capture/node-a").path)) ?? []
        #expect(written.contains { $0.hasSuffix(".json") }, "\(written)")
    }

    // MARK: - Helpers

    /// The argument after `flag`.
    static func value(after flag: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    /// `totals.requests` of a result.
    static func requests(_ path: String) throws -> Int {
        struct Result: Decodable {
            struct Totals: Decodable { let requests: Int }
            let totals: Totals
        }
        return try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: path))).totals.requests
    }
}
