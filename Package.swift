// swift-tools-version: 6.0
// No package dependencies, by design: Foundation, Dispatch and Glibc/Darwin only, so the tool drops into any CI.
import PackageDescription

let package = Package(
    name: "ppg-webhook-conformance",
    products: [
        .executable(name: "ppg-conformance", targets: ["ppg-conformance"]),
        .library(name: "PPGSignature", targets: ["PPGSignature"]),
        .library(name: "PPGVectors", targets: ["PPGVectors"]),
        .library(name: "PPGConformance", targets: ["PPGConformance"]),
        .library(name: "PPGHTTP", targets: ["PPGHTTP"]),
    ],
    targets: [
        .target(name: "PPGSignature"),
        .target(name: "PPGVectors", dependencies: ["PPGSignature"]),
        .target(name: "PPGHTTP"),
        .target(name: "PPGConformance", dependencies: ["PPGSignature", "PPGVectors", "PPGHTTP"]),
        .executableTarget(
            name: "ppg-conformance",
            dependencies: ["PPGSignature", "PPGVectors", "PPGConformance", "PPGHTTP"]
        ),
        // Helpers the test targets share: running processes, temporary directories, locating the corpus.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PPGSignatureTests", dependencies: ["PPGSignature", "TestSupport"]),
        .testTarget(name: "PPGVectorsTests", dependencies: ["PPGVectors", "PPGSignature", "TestSupport"]),
        .testTarget(
            name: "PPGConformanceTests",
            dependencies: ["PPGConformance", "PPGVectors", "PPGSignature", "PPGHTTP", "TestSupport"]),
        .testTarget(name: "PPGHTTPTests", dependencies: ["PPGHTTP", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["ppg-conformance", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
