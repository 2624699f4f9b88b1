import Foundation
import HotshardTestSupport
import Yams

/// The files of deploy/kubernetes/ as the tests read them: the manifests through Yams, and the
/// ConfigMaps kustomize's `configMapGenerator` makes of run.env, capture.env and profile.yaml,
/// read the way kustomize reads them (so that a test sees the values every pod of a run gets).
enum KubernetesManifests {
    static let directory = BuiltProduct.packageRoot.appendingPathComponent("deploy/kubernetes")

    /// A file of the tree, parsed: one YAML document, a mapping at the top.
    static func document(_ file: String) throws -> [String: Any] {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        guard let mapping = try Yams.load(yaml: text) as? [String: Any] else {
            throw PodTemplate.Problem(description: "\(file): not one YAML mapping")
        }
        return mapping
    }

    /// The workload (Job, DaemonSet) in `file` and its one container.
    static func workload(_ file: String) throws -> PodTemplate {
        try PodTemplate(try document(file), file: file)
    }

    /// A kustomize env file as the ConfigMap's data: `KEY=value` lines, the value the rest of the
    /// line as written; blank lines and lines starting with `#` skipped (kustomize's own rules).
    static func envFile(_ file: String) throws -> [String: String] {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        var data: [String: String] = [:]
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.drop { $0 == " " }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw PodTemplate.Problem(description: "\(file): `\(line)` is not KEY=value")
            }
            data[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return data
    }

    /// Every ConfigMap kustomization.yaml generates, by the name the manifests refer to it by
    /// (kustomize adds a content hash to the name and rewrites the references to match).
    static func configMaps() throws -> [String: [String: String]] {
        let kustomization = try document("kustomization.yaml")
        var maps: [String: [String: String]] = [:]
        for generator in kustomization["configMapGenerator"] as? [[String: Any]] ?? [] {
            guard let name = generator["name"] as? String else { continue }
            var data: [String: String] = [:]
            for file in generator["envs"] as? [String] ?? [] {
                data.merge(try envFile(file)) { _, new in new }
            }
            for file in generator["files"] as? [String] ?? [] {
                // `files: [KEY=PATH]` or `[PATH]` (the key is then the file's name).
                let parts = file.split(separator: "=", maxSplits: 1).map(String.init)
                let key = parts.count == 2 ? parts[0] : URL(fileURLWithPath: file).lastPathComponent
                data[key] = try String(contentsOf: directory.appendingPathComponent(parts.last ?? file), encoding: .utf8)
            }
            maps[name] = data
        }
        return maps
    }
}
