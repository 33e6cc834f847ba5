#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's driver: runs the fuzzing loop with our callback (the toolchain's libFuzzer provides it).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The fuzz targets, chosen by `AUGUR_FUZZ_TARGET`.
let targets: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
    "framing": fuzzFraming,
    "json": fuzzJSON,
    "edits": fuzzEdits,
    "server": fuzzServer,
    "gguf": fuzzGGUF,
    "tokenizer": fuzzTokenizer,
]

nonisolated(unsafe) var selected: (UnsafeRawBufferPointer) -> Void = { _ in }

// SwiftPM names an executable's entry point `<module>_main`; with -sanitize=fuzzer we provide it and hand
// control to libFuzzer.
@_cdecl("augur_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = getenv("AUGUR_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = targets[name] else {
        let message = "set AUGUR_FUZZ_TARGET to one of: \(targets.keys.sorted().joined(separator: ", "))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        return 2
    }
    selected = target
    // Load the tokenizers before fuzzing starts (seconds under AddressSanitizer), not in the first input.
    if name == "tokenizer" { _ = fuzzTokenizers.count }
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
