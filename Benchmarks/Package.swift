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
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "HotshardBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HotshardBytes", package: hotshard),
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
        // What a SwiftNIO client costs with nothing of hotshard's per request: scripts/bench/compare.py
        // runs it beside `hotshard load` and redis-benchmark / wrk. Outside Benchmarks/, where the
        // benchmark plugin would take it for a benchmark target and run it.
        .executableTarget(
            name: "NIOFloorClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Clients/NIOFloorClient"
        ),
    ]
)
