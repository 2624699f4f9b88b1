// swift-tools-version: 6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder: whatever the clone is called.
let hotshard = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// Micro-benchmarks of the hot paths, in their own package so that building the tool stays lean.
// `make bench` runs them with allocation counts (malloc interposer).
let package = Package(
    name: "HotshardBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotshardBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HotshardCapture", package: hotshard),
                .product(name: "HotshardProtocols", package: hotshard),
                .product(name: "HotshardAnalysis", package: hotshard),
                .product(name: "HotshardModel", package: hotshard),
            ],
            path: "Benchmarks/HotshardBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
