// swift-tools-version: 6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "newsletter",
    products: [
        .executable(name: "newsletter", targets: ["newsletter"]),
        .library(name: "NewsletterCore", targets: ["NewsletterCore"]),
    ],
    dependencies: [
        // CLI parsing for the thin executable.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Mustache templates for the digest (templates/).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        // The logging API: the core reports through a Logger the caller gives it; the CLI picks the output.
        .package(url: "https://github.com/apple/swift-log", from: "1.0.0"),
    ],
    targets: [
        // Core
        .target(
            name: "NewsletterCore",
            dependencies: [
                "CCurlShims",
                "CLibXML2",
                "CCrypto",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // C shims
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "CCurlShims",
            dependencies: ["CCurl"],
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        // CLI
        .executableTarget(
            name: "newsletter",
            dependencies: [
                "NewsletterCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Tests
        .testTarget(
            name: "NewsletterCoreTests",
            dependencies: ["NewsletterCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NewsletterCLITests",
            dependencies: ["newsletter", "NewsletterCore"],
            swiftSettings: swiftSettings
        ),
    ]
)
