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
    ],
    targets: [
        .target(name: "PPGSignature"),
        .target(name: "PPGVectors", dependencies: ["PPGSignature"]),
        .target(name: "PPGConformance", dependencies: ["PPGSignature", "PPGVectors"]),
        .executableTarget(
            name: "ppg-conformance",
            dependencies: ["PPGSignature", "PPGVectors", "PPGConformance"]
        ),
        .testTarget(name: "PPGSignatureTests", dependencies: ["PPGSignature"]),
        .testTarget(name: "PPGVectorsTests", dependencies: ["PPGVectors", "PPGSignature"]),
        .testTarget(name: "PPGConformanceTests", dependencies: ["PPGConformance", "PPGVectors", "PPGSignature"]),
        .testTarget(name: "CLITests", dependencies: ["ppg-conformance"]),
    ],
    swiftLanguageModes: [.v6]
)
