// swift-tools-version:6.2
import PackageDescription

// The benchmark peer of issue 13: what a Swift developer would otherwise pick for saas-api's
// `/v1` routes, Hummingbird 2 with postgres-nio's `PostgresClient` pool. Its own package, so
// saas-api's dependencies stay its four. Built by `bench/run v1` with
// `swift build -c release --scratch-path .build-peer` (gitignored) in this folder.
let package = Package(
    name: "hummingbird-peer",
    platforms: [.macOS(.v14)],
    dependencies: [
        // Only the FullFoundation trait: swift-configuration support is not used here.
        .package(
            url: "https://github.com/hummingbird-project/hummingbird.git",
            from: "2.28.1",
            traits: ["FullFoundation"]
        ),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdPeer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
