// swift-tools-version: 6.0
// Fuzz targets for Augur's parsers. Build and run with `Fuzz/run TARGET SECONDS` (libFuzzer through the
// Swift toolchain's -sanitize=fuzzer, with AddressSanitizer). Kept out of the main package so a normal
// build never links libFuzzer.
import PackageDescription

let package = Package(
    name: "AugurFuzz",
    dependencies: [.package(name: "Augur", path: "..")],
    targets: [
        .executableTarget(
            name: "augur-fuzz",
            dependencies: [.product(name: "AugurCore", package: "Augur")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
