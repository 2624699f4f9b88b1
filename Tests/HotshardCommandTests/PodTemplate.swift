import Foundation
import HotshardTestSupport

/// One workload of deploy/kubernetes/ (a Job or a DaemonSet): its pod template and its one
/// container, and what the kubelet does with them before the process starts — the environment
/// resolved from ConfigMaps and the downward API, `$(VAR)` expanded in command and args — so that
/// a test can run here, as a process, exactly the command a pod would run.
struct PodTemplate {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// Where an environment variable's value comes from.
    enum Source: Equatable {
        case value(String)
        case configMap(name: String, key: String)
        /// The downward API: `metadata.annotations['…']`, `spec.nodeName`, `status.podIP`.
        case field(String)
    }

    struct Mount: Equatable {
        var volume: String
        var path: String
        var readOnly: Bool
    }

    let file: String
    let workload: [String: Any]
    /// `spec` of the workload (the Job's or the DaemonSet's).
    let spec: [String: Any]
    /// `spec.template.metadata`.
    let podMetadata: [String: Any]
    /// `spec.template.spec`.
    let pod: [String: Any]
    let container: [String: Any]

    init(_ workload: [String: Any], file: String) throws {
        self.file = file
        self.workload = workload
        guard let spec = workload["spec"] as? [String: Any], let template = spec["template"] as? [String: Any],
            let pod = template["spec"] as? [String: Any], let containers = pod["containers"] as? [[String: Any]],
            containers.count == 1, let container = containers.first
        else { throw Problem(description: "\(file): no pod template with one container") }
        self.spec = spec
        self.podMetadata = template["metadata"] as? [String: Any] ?? [:]
        self.pod = pod
        self.container = container
    }

    var command: [String] { container["command"] as? [String] ?? [] }
    var args: [String] { container["args"] as? [String] ?? [] }
    var securityContext: [String: Any] { container["securityContext"] as? [String: Any] ?? [:] }

    /// The container's `env`, in order.
    func env() throws -> [(name: String, source: Source)] {
        try (container["env"] as? [[String: Any]] ?? []).map { entry in
            guard let name = entry["name"] as? String else { throw Problem(description: "\(file): an env entry has no name") }
            if let value = entry["value"] as? String { return (name, .value(value)) }
            let from = entry["valueFrom"] as? [String: Any] ?? [:]
            if let reference = from["configMapKeyRef"] as? [String: Any], let map = reference["name"] as? String,
                let key = reference["key"] as? String
            {
                return (name, .configMap(name: map, key: key))
            }
            if let field = (from["fieldRef"] as? [String: Any])?["fieldPath"] as? String { return (name, .field(field)) }
            throw Problem(description: "\(file): env \(name) has neither a value nor a source the tests know")
        }
    }

    /// The environment the kubelet gives the container: ConfigMap keys from `configMaps`, downward
    /// API fields from `fields`, and `value`s expanded with the variables defined before them.
    func environment(configMaps: [String: [String: String]], fields: [String: String]) throws -> [String: String] {
        var environment: [String: String] = [:]
        for (name, source) in try env() {
            switch source {
            case .value(let text):
                environment[name] = Self.expand(text, environment)
            case .configMap(let map, let key):
                guard let value = configMaps[map]?[key] else { throw Problem(description: "\(file): env \(name): no key \(key) in ConfigMap \(map)") }
                environment[name] = value
            case .field(let path):
                guard let value = fields[path] else { throw Problem(description: "\(file): env \(name): the test gives no \(path)") }
                environment[name] = value
            }
        }
        return environment
    }

    /// Kubernetes' `$(VAR)` expansion of command, args and env values (its
    /// third_party/forked/golang/expansion): `$(NAME)` becomes the variable's value when it is
    /// defined and stays as written when it is not; `$$` is one `$`; any other `$` stays.
    static func expand(_ text: String, _ variables: [String: String]) -> String {
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            guard let next = after.first else {
                output += "$"
                rest = after
                break
            }
            if next == "$" {
                output += "$"
                rest = after.dropFirst()
            } else if next == "(", let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                output += variables[name] ?? "$(\(name))"
                rest = after[after.index(after: close)...]
            } else {
                output += "$"
                rest = after
            }
        }
        return output + rest
    }

    /// The container's volume mounts.
    var mounts: [Mount] {
        (container["volumeMounts"] as? [[String: Any]] ?? []).compactMap { mount in
            guard let volume = mount["name"] as? String, let path = mount["mountPath"] as? String else { return nil }
            return Mount(volume: volume, path: path, readOnly: mount["readOnly"] as? Bool ?? false)
        }
    }

    /// The pod's volume called `name`.
    func volume(_ name: String) -> [String: Any]? {
        (pod["volumes"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name }
    }

    /// The mount an absolute `path` lies in (the longest mount path that is a folder of it).
    func mount(holding path: String) -> Mount? {
        mounts.filter { path == $0.path || path.hasPrefix($0.path.hasSuffix("/") ? $0.path : $0.path + "/") }
            .max { $0.path.count < $1.path.count }
    }

    /// The PVC claim a mount's volume is, nil for any other kind of volume.
    func claim(of mount: Mount) -> String? {
        (volume(mount.volume)?["persistentVolumeClaim"] as? [String: Any])?["claimName"] as? String
    }

    /// The container's command line after expansion, as the kubelet would start it.
    func commandLine(_ environment: [String: String]) -> [String] {
        (command + args).map { Self.expand($0, environment) }
    }

    /// Starts `commandLine` here: mount paths in the arguments and the environment replaced by
    /// local folders (`folders`, mount path → folder), `hotshard` the built binary (first on PATH
    /// too), stdout and stderr to files in `logs`. The caller waits for it.
    func start(
        _ commandLine: [String], environment: [String: String], folders: [String: String], logs: URL, label: String
    ) throws -> Process {
        func local(_ text: String) -> String {
            // Longest mount first, so that /results/x is not taken for a mount at /results/x's parent.
            for (path, folder) in folders.sorted(by: { $0.key.count > $1.key.count }) {
                if text == path { return folder }
                if let range = text.range(of: path + "/") { return text.replacingCharacters(in: range, with: folder + "/") }
            }
            return text
        }
        guard let binary = BuiltProduct.hotshard, let executable = commandLine.first else {
            throw Problem(description: "no built hotshard, or an empty command")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable == "hotshard" ? binary : executable)
        process.arguments = commandLine.dropFirst().map(local)
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = local(value) }
        let binaryFolder = URL(fileURLWithPath: binary).deletingLastPathComponent().path
        merged["PATH"] = binaryFolder + ":" + (merged["PATH"] ?? "/usr/bin:/bin")
        process.environment = merged
        let out = logs.appendingPathComponent("\(label).out"), err = logs.appendingPathComponent("\(label).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.runWithUnblockedSignals()
        return process
    }
}
