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
        // epoll and other system headers Swift's Glibc module leaves out.
        .target(name: "CPPGSystem"),
        .target(name: "PPGHTTP", dependencies: ["CPPGSystem"]),
        .target(name: "PPGConformance", dependencies: ["PPGSignature", "PPGVectors", "PPGHTTP"]),
        .executableTarget(
            name: "ppg-conformance",
            dependencies: ["PPGSignature", "PPGVectors", "PPGConformance", "PPGHTTP"]
        ),
        // Examples/: a Swift receiver built on the library and serve's server, the way a user's server would use them.
        .executableTarget(name: "ppg-example-receiver", dependencies: ["PPGSignature", "PPGHTTP"],
                          path: "Examples/swift-receiver", exclude: ["README.md"]),
        // Helpers the test targets share: running processes, temporary directories, locating the corpus.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PPGSignatureTests", dependencies: ["PPGSignature", "TestSupport"]),
        .testTarget(name: "PPGVectorsTests", dependencies: ["PPGVectors", "PPGSignature", "TestSupport"]),
        .testTarget(
            name: "PPGConformanceTests",
            dependencies: ["PPGConformance", "PPGVectors", "PPGSignature", "PPGHTTP", "TestSupport"]),
        .testTarget(name: "PPGHTTPTests", dependencies: ["PPGHTTP", "TestSupport"]),
        .testTarget(
            name: "CLITests",
            dependencies: ["ppg-conformance", "ppg-example-receiver", "PPGHTTP", "PPGSignature", "PPGVectors", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
