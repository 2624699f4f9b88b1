// swift-tools-version: 6.0
import PackageDescription

// Dependencies point one way, along the flow of ../shared/design.md:
// Capture → Protocols → Analysis → Model → Load → Report → hotshard.
let package = Package(
    name: "hotshard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hotshard", targets: ["hotshard"]),
        // Libraries are products so that the separate Benchmarks/ package can measure them.
        .library(name: "HotshardConcurrency", targets: ["HotshardConcurrency"]),
        .library(name: "HotshardBytes", targets: ["HotshardBytes"]),
        .library(name: "HotshardCapture", targets: ["HotshardCapture"]),
        .library(name: "HotshardProtocols", targets: ["HotshardProtocols"]),
        .library(name: "HotshardAnalysis", targets: ["HotshardAnalysis"]),
        .library(name: "HotshardModel", targets: ["HotshardModel"]),
        .library(name: "HotshardLoad", targets: ["HotshardLoad"]),
        .library(name: "HotshardReport", targets: ["HotshardReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        // Threads, loops over the cores and the one blocking primitive, shared by every module.
        .target(name: "HotshardConcurrency"),
        // The byte cursor and fixed-capacity storage every parser and capture reader reads and
        // keeps bytes through: the package's pointer arithmetic, in one place, with its own tests.
        .target(name: "HotshardBytes"),
        .target(
            name: "HotshardCapture",
            dependencies: [
                "CPcap",
                "HotshardBytes",
            ]
        ),
        .target(
            name: "HotshardProtocols",
            dependencies: [
                "HotshardBytes",
                "HotshardCapture",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // A cache prefetch hint for the analyzer's per-message lookups (Swift has none).
        .target(name: "CPrefetch"),
        .target(
            name: "HotshardAnalysis",
            dependencies: [
                "HotshardConcurrency",
                "CPrefetch",
                "HotshardProtocols",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The rendezvous scan's inner loop (AVX2 where the CPU has it); RendezvousScheme wraps it.
        .target(name: "CRendezvous"),
        .target(
            name: "HotshardModel",
            dependencies: [
                "HotshardConcurrency",
                "HotshardBytes",
                "CRendezvous",
                "HotshardProtocols",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "HotshardLoad",
            dependencies: [
                "HotshardConcurrency",
                "HotshardBytes",
                "HotshardCapture",
                "HotshardProtocols",
                "HotshardAnalysis",
                "HotshardModel",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            // A request of `load` and `replay` passes through a dozen classes, each confined to one
            // thread (the event loop or the capture reader), and each of their stored properties it
            // touches cost a dynamic exclusivity check: 6 % of `replay --max`'s CPU. Debug builds,
            // which every test runs, keep the checks.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "HotshardReport",
            dependencies: [
                "HotshardCapture",
                "HotshardProtocols",
                "HotshardAnalysis",
                "HotshardModel",
                "HotshardLoad",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["VersionStamp"]
        ),
        // Writes the version (`git describe`, else VERSION) into HotshardReport on every build.
        .plugin(name: "VersionStamp", capability: .buildTool(), path: "Plugins/VersionStamp"),
        .executableTarget(
            name: "hotshard",
            dependencies: [
                "HotshardConcurrency",
                "HotshardCapture",
                "HotshardProtocols",
                "HotshardAnalysis",
                "HotshardModel",
                "HotshardLoad",
                "HotshardReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target for the protocol parsers (`make fuzz`); in a normal build it replays inputs.
        .executableTarget(
            name: "HotshardFuzz",
            dependencies: ["HotshardCapture", "HotshardProtocols"],
            path: "Fuzz"
        ),
        // Shared by the test targets: fixture paths, the real servers started on loopback, the built
        // binaries, message collectors and the parser harness.
        .target(
            name: "HotshardTestSupport",
            dependencies: ["HotshardCapture", "HotshardProtocols"],
            path: "Tests/HotshardTestSupport"
        ),
        .testTarget(name: "HotshardConcurrencyTests", dependencies: ["HotshardConcurrency"]),
        .testTarget(name: "HotshardBytesTests", dependencies: ["HotshardBytes"]),
        .testTarget(name: "HotshardCaptureTests", dependencies: ["HotshardCapture", "HotshardTestSupport"]),
        .testTarget(name: "HotshardProtocolsTests", dependencies: ["HotshardProtocols", "HotshardTestSupport"]),
        .testTarget(name: "HotshardAnalysisTests", dependencies: ["HotshardAnalysis", "HotshardTestSupport"]),
        .testTarget(name: "HotshardModelTests", dependencies: ["HotshardModel", "HotshardTestSupport"]),
        .testTarget(name: "HotshardLoadTests", dependencies: ["HotshardLoad", "HotshardTestSupport", "HotshardCapture",
                                                             "HotshardProtocols", "HotshardAnalysis", "HotshardModel",
                                                             .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "HotshardReportTests", dependencies: ["HotshardReport", "HotshardTestSupport"]),
        // Runs the built `hotshard` binary (in a terminal where it needs one).
        .testTarget(name: "HotshardCommandTests", dependencies: ["hotshard", "HotshardReport", "HotshardTestSupport",
                                                                .product(name: "Yams", package: "Yams")]),
    ]
)
