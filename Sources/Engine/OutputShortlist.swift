import Synchronization

/// A subset of the vocabulary whose logits a forward pass computes (`Model.forward(…, shortlist:)`); every other
/// token's logit comes out as `-infinity`. For a draft model: its output projection (151,936 × 896 for the
/// Qwen2.5-Coder 0.5B, 37 % of the bytes a step reads) shrinks to the rows of the shortlist, and the draft can
/// only propose shortlisted tokens — the primary still decides, so the output is unchanged.
///
/// The shortlist is the `baseCount` lowest ids (byte-level BPE ids follow the merge order, i.e. how common a
/// piece was in the tokenizer's corpus: the first 16k cover 79–89 % of code tokens, `scripts/shortlist-coverage`) plus tokens `include`d by the
/// caller — the document's own tokens (identifiers repeat: with them, 94–97 %) and the stop tokens. Included
/// tokens accumulate up to `capacity`; when one more would not fit, the shortlist starts again from the base.
///
/// The rows are copies (in the file's layout) of the output matrix's, so a shortlisted logit is bitwise the
/// full pass's (a row's dot product does not depend on which other rows are computed). Not thread-safe: used
/// by whoever runs the model's (serialized) forward passes.
public final class OutputShortlist: @unchecked Sendable {
    /// Shortlisted ids in row order: `[count]` (the first `baseCount` are `0..<baseCount`).
    public private(set) var ids: [Int32]
    /// How many ids are always in: `0..<baseCount`.
    public let baseCount: Int
    /// Most ids the shortlist holds.
    public let capacity: Int
    /// How many times included tokens overflowed `capacity` and the shortlist restarted from the base.
    public private(set) var resets = 0
    /// `count` and `resets` as of the last change, readable from any thread (for stats).
    private let publishedCount = Atomic<Int>(0), publishedResets = Atomic<Int>(0)
    /// Row of each vocabulary id in `storage`, or -1: `[vocabularySize]`.
    private var rowOf: [Int32]
    /// The full output matrix, in the file's layout (the source of the copied rows).
    private let source: WeightMatrix
    /// `capacity` rows of `source.rowBytes`: `[capacity][rowBytes]`, the first `count` valid.
    private let storage: RepackedStorage

    /// A shortlist for `model`'s output of the `baseCount` lowest ids (clamped to the vocabulary), with room for
    /// `extra` more.
    public init(model: Model, baseCount: Int, extra: Int = 16384) {
        let vocab = model.config.vocabularySize
        source = model.outputSource
        self.baseCount = max(0, min(baseCount, vocab))
        capacity = min(vocab, self.baseCount + max(0, extra))
        storage = RepackedStorage(byteCount: capacity * source.rowBytes)
        ids = []
        ids.reserveCapacity(capacity)
        rowOf = [Int32](repeating: -1, count: vocab)
        add((0..<Int32(self.baseCount)))
    }

    /// The number of shortlisted ids.
    public var count: Int { ids.count }

    /// `count` and `resets` for stats: safe to read from any thread while the model's user changes the shortlist.
    public var snapshot: (count: Int, resets: Int) {
        (publishedCount.load(ordering: .relaxed), publishedResets.load(ordering: .relaxed))
    }

    /// Whether `id` gets a logit.
    public func contains(_ id: Int32) -> Bool { id >= 0 && Int(id) < rowOf.count && rowOf[Int(id)] >= 0 }

    /// Adds every id of `tokens` not in the shortlist yet (ids outside the vocabulary are ignored). When they do
    /// not fit, the shortlist restarts from the base ids and then takes as many of `tokens` as fit.
    public func include(_ tokens: some Sequence<Int32>) {
        var missing: [Int32] = []
        var seen = Set<Int32>()
        for id in tokens where id >= 0 && Int(id) < rowOf.count && rowOf[Int(id)] < 0 && seen.insert(id).inserted {
            missing.append(id)
        }
        guard !missing.isEmpty else { return }
        if ids.count + missing.count > capacity {
            for id in ids[baseCount...] { rowOf[Int(id)] = -1 }
            ids.removeLast(ids.count - baseCount)
            resets += 1
            missing = Array(missing.prefix(capacity - baseCount))
        }
        add(missing)
    }

    private func add(_ new: some Sequence<Int32>) {
        for id in new {
            let row = ids.count
            (storage.base + row * source.rowBytes).copyMemory(from: source.row(Int(id)), byteCount: source.rowBytes)
            rowOf[Int(id)] = Int32(row)
            ids.append(id)
        }
        publishedCount.store(ids.count, ordering: .relaxed)
        publishedResets.store(resets, ordering: .relaxed)
    }

    /// The shortlisted rows as a matrix (valid until the next `include`).
    var matrix: WeightMatrix {
        WeightMatrix(copyOf: source, rows: ids.count, data: UnsafeRawPointer(storage.base), storage: storage)
    }
}
