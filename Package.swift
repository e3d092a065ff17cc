// swift-tools-version: 6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "newsletter",
    products: [
        .executable(name: "newsletter", targets: ["newsletter"]),
        .library(name: "NewsletterCore", targets: ["NewsletterCore"]),
        .library(name: "NewsletterServer", targets: ["NewsletterServer"]),
    ],
    dependencies: [
        // CLI parsing for the thin executable.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Mustache templates for the digest (templates/).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        // The logging API: the core reports through a Logger the caller gives it; the CLI picks the output.
        .package(url: "https://github.com/apple/swift-log", from: "1.0.0"),
        // `newsletter serve`: the HTTP server (its own target, so the core stays free of it) and graceful shutdown.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
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

        // Web service (`newsletter serve`): unsubscribe, double opt-in, archive.
        .target(
            name: "NewsletterServer",
            dependencies: [
                "NewsletterCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
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
                "NewsletterServer",
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

// Fuzzing: libFuzzer targets under Fuzz/, added only when NEWSLETTER_FUZZ is set, so that the normal build never
// sees them. `scripts/fuzz [SECONDS]` builds them with `-sanitize=fuzzer,address` (and instruments the core) and
// runs each on its seed corpus in Fuzz/corpus/.
if Context.environment["NEWSLETTER_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Support", swiftSettings: swiftSettings))
    for name in ["ArticleParser", "HTMLCleaner", "ConfigReader", "SubscriberList", "Encoders"] {
        package.targets.append(
            .executableTarget(
                name: "Fuzz\(name)",
                dependencies: ["NewsletterCore", "FuzzSupport"],
                path: "Fuzz/\(name)",
                swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]
            ))
    }
}
