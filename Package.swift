// swift-tools-version: 6.0
// No package dependencies, by design: Foundation, Dispatch and Glibc/Darwin only, so the tool drops into any CI.
import PackageDescription

// Each file imports every module whose members it uses (SE-0444), so an import list says what a file depends on.
let settings: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "ppg-webhook-conformance",
    products: [
        .executable(name: "ppg-conformance", targets: ["ppg-conformance"]),
        .library(name: "PPGWire", targets: ["PPGWire"]),
        .library(name: "PPGSignature", targets: ["PPGSignature"]),
        .library(name: "PPGVectors", targets: ["PPGVectors"]),
        .library(name: "PPGConformance", targets: ["PPGConformance"]),
        .library(name: "PPGHTTP", targets: ["PPGHTTP"]),
    ],
    targets: [
        // The wire model every layer shares, below everything: URL, JSON, ASCII, escaping. No Foundation.
        .target(name: "PPGWire", swiftSettings: settings),
        .target(name: "PPGSignature", dependencies: ["PPGWire"], swiftSettings: settings),
        .target(name: "PPGVectors", dependencies: ["PPGWire", "PPGSignature"], swiftSettings: settings),
        // epoll and other system headers Swift's Glibc module leaves out.
        .target(name: "CPPGSystem"),
        .target(name: "PPGHTTP", dependencies: ["PPGWire", "CPPGSystem"], swiftSettings: settings),
        .target(
            name: "PPGConformance", dependencies: ["PPGWire", "PPGSignature", "PPGVectors", "PPGHTTP"],
            swiftSettings: settings),
        .executableTarget(
            name: "ppg-conformance",
            dependencies: ["PPGWire", "PPGSignature", "PPGVectors", "PPGConformance", "PPGHTTP"],
            swiftSettings: settings
        ),
        // Examples/: a Swift receiver built on the library and serve's server, the way a user's server would use them:
        // the receiver a library, served by the executable, and tested by the suite in-process and over HTTP.
        .target(
            name: "PPGExampleReceiver", dependencies: ["PPGWire", "PPGSignature"],
            path: "Examples/swift-receiver/Sources/PPGExampleReceiver", swiftSettings: settings),
        .executableTarget(
            name: "ppg-example-receiver", dependencies: ["PPGExampleReceiver", "PPGWire", "PPGSignature", "PPGHTTP"],
            path: "Examples/swift-receiver/Sources/ppg-example-receiver", swiftSettings: settings),
        .testTarget(
            name: "PPGExampleReceiverTests",
            dependencies: ["PPGExampleReceiver", "PPGConformance", "PPGVectors", "PPGWire", "PPGSignature", "PPGHTTP"],
            path: "Examples/swift-receiver/Tests/PPGExampleReceiverTests", swiftSettings: settings),
        // Helpers the test targets share: running processes, temporary directories, locating the corpus.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: settings),
        .testTarget(name: "PPGWireTests", dependencies: ["PPGWire"], swiftSettings: settings),
        .testTarget(
            name: "PPGSignatureTests", dependencies: ["PPGWire", "PPGSignature", "TestSupport"], swiftSettings: settings
        ),
        .testTarget(
            name: "PPGVectorsTests", dependencies: ["PPGWire", "PPGVectors", "PPGSignature", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "PPGConformanceTests",
            dependencies: ["PPGWire", "PPGConformance", "PPGVectors", "PPGSignature", "PPGHTTP", "TestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "PPGHTTPTests", dependencies: ["PPGWire", "PPGHTTP", "TestSupport"], swiftSettings: settings),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "ppg-conformance", "ppg-example-receiver", "PPGWire", "PPGHTTP", "PPGSignature", "PPGVectors",
                "TestSupport",
            ], swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)
