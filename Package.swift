// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Augur",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "augur", targets: ["augur"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System library: libjansson (Debian `libjansson-dev`, pkg-config `jansson`).
        .systemLibrary(
            name: "CJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]
        ),
        // A Swift JSON value type, parsed and printed by jansson.
        .target(name: "JSON", dependencies: ["CJansson"]),
        // JSON-RPC 2.0 over LSP base-protocol framing: framer, messages, connection.
        .target(
            name: "JSONRPC",
            dependencies: ["JSON", .product(name: "Logging", package: "swift-log")]
        ),
        // The language server: lifecycle, documents, dispatch, completion-provider seam.
        .target(
            name: "LanguageServer",
            dependencies: ["JSON", "JSONRPC", .product(name: "Logging", package: "swift-log")]
        ),
        // Default models: manifest, cache directory, fetch (PyPI chunk wheels or HTTPS), verify, resolve.
        .target(
            name: "ModelStore",
            dependencies: ["JSON", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The `augur` command-line tool.
        .executableTarget(
            name: "augur",
            dependencies: [
                "JSON", "JSONRPC", "LanguageServer", "ModelStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC", "JSON"]),
        .testTarget(name: "LanguageServerTests", dependencies: ["LanguageServer", "JSONRPC", "JSON"]),
        .testTarget(name: "AugurCLITests", dependencies: ["augur", "JSON", "JSONRPC"]),
        .testTarget(name: "ModelStoreTests", dependencies: ["ModelStore", "JSON"]),
    ]
)
