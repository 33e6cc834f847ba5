#if canImport(Glibc)
import Glibc
#endif

/// The keys and values of one sequence's evaluated positions, for every layer: what lets a forward pass
/// evaluate only the new tokens after a cached prefix.
///
/// Storage is IEEE half precision, llama.cpp's default cache type (`--cache-type-k/v f16`), which is what the
/// reference logits were computed with: storing F32 would make Augur *more* precise than the reference and
/// disagree with it more (see Docs/Engine.md for the measurement). Keys are stored after RoPE.
///
/// Positions are appended by `Model.forward` and can be dropped from the end with `truncate(to:)` — the
/// rollback after rejected draft tokens, or after the user edits the text behind the cursor. Capacity grows
/// by doubling (copying) up to `maxPositions`.
///
/// The buffers are anonymous memory mappings, not `malloc` blocks: freeing one (after growing, or when a
/// document's cache is evicted) gives its pages back to the system at once. From the heap, buffers of a few
/// MB to 32 MB stayed behind as fragmentation after eviction, and resident memory crept ~300 MB past the
/// cache budget over 20 documents (`scripts/bench-memory`). Pages are touched only as positions are written.
public final class KVCache {
    public let layerCount: Int
    public let kvHeadCount: Int
    public let headDim: Int
    /// The most positions this cache will ever hold (the model's context length unless limited).
    public let maxPositions: Int
    /// Positions evaluated so far (the length of the cached prefix).
    public private(set) var count: Int = 0
    /// Positions the current buffers can hold without growing.
    public private(set) var capacity: Int = 0

    /// Keys after RoPE: `[layer][kvHead][position / 16 < capacity / 16][headDim][16]`, f16 bit patterns — blocks of
    /// `Kernels.keyBlock` positions stored dimension-major, so attention's scores put positions in vector lanes.
    /// `capacity` is a multiple of the block size.
    private(set) var keys: UnsafeMutablePointer<UInt16>
    /// Values: `[layer][kvHead][position < capacity][headDim]`, f16 bit patterns.
    private(set) var values: UnsafeMutablePointer<UInt16>

    /// An empty cache shaped for `model`, holding at most `maxPositions` (default: the context length).
    public convenience init(model: Model, maxPositions: Int? = nil, initialCapacity: Int = 256) {
        let config = model.config
        self.init(layerCount: config.layerCount, kvHeadCount: config.kvHeadCount, headDim: config.headDim,
                  maxPositions: maxPositions ?? config.contextLength, initialCapacity: initialCapacity)
    }

    public init(layerCount: Int, kvHeadCount: Int, headDim: Int, maxPositions: Int, initialCapacity: Int = 256) {
        precondition(layerCount > 0 && kvHeadCount > 0 && headDim > 0 && maxPositions > 0)
        self.layerCount = layerCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.maxPositions = maxPositions
        let initial = Self.wholeBlocks(max(1, min(initialCapacity, maxPositions)))
        keys = Self.map(layerCount * kvHeadCount * initial * headDim)
        values = Self.map(layerCount * kvHeadCount * initial * headDim)
        capacity = initial
    }

    deinit {
        Self.unmap(keys, layerCount * kvHeadCount * capacity * headDim)
        Self.unmap(values, layerCount * kvHeadCount * capacity * headDim)
    }

    /// Zeroed, page-aligned memory for `count` halves, straight from the kernel.
    private static func map(_ count: Int) -> UnsafeMutablePointer<UInt16> {
        let bytes = max(1, count * MemoryLayout<UInt16>.size)
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            fatalError("KVCache: out of memory mapping \(bytes) bytes (errno \(errno))")
        }
        return raw.bindMemory(to: UInt16.self, capacity: count)
    }

    private static func unmap(_ pointer: UnsafeMutablePointer<UInt16>, _ count: Int) {
        munmap(UnsafeMutableRawPointer(pointer), max(1, count * MemoryLayout<UInt16>.size))
    }

    /// Bytes held by the key and value buffers (allocated capacity, not just the filled positions).
    public var byteCount: Int { 2 * layerCount * kvHeadCount * capacity * headDim * MemoryLayout<UInt16>.size }

    /// Bytes one position costs (keys and values of every layer).
    public var bytesPerPosition: Int { 2 * layerCount * kvHeadCount * headDim * MemoryLayout<UInt16>.size }

    /// Drops every position at and after `length` (no-op when `length >= count`). Cheap: nothing is cleared,
    /// the next forward pass overwrites the positions it appends.
    public func truncate(to length: Int) {
        precondition(length >= 0, "negative length")
        count = min(count, length)
    }

    /// Empties the cache (keeps the buffers).
    public func reset() { count = 0 }

    /// Makes room for `newPositions` more positions. Throws when that exceeds `maxPositions`.
    func reserve(_ newPositions: Int) throws(EngineError) {
        let needed = count + newPositions
        guard needed <= maxPositions else { throw .contextFull(needed: needed, capacity: maxPositions) }
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        newCapacity = Self.wholeBlocks(min(newCapacity, maxPositions))
        let heads = layerCount * kvHeadCount
        let keyCount = Self.wholeBlocks(count) * headDim  // the filled blocks of keys, the last one partly
        let newKeys = Self.map(heads * newCapacity * headDim)
        let newValues = Self.map(heads * newCapacity * headDim)
        for head in 0..<heads {
            let old = head * capacity * headDim, new = head * newCapacity * headDim
            (newKeys + new).update(from: keys + old, count: keyCount)
            (newValues + new).update(from: values + old, count: count * headDim)
        }
        Self.unmap(keys, heads * capacity * headDim)
        Self.unmap(values, heads * capacity * headDim)
        keys = newKeys
        values = newValues
        capacity = newCapacity
    }

    /// `positions` rounded up to whole key blocks.
    static func wholeBlocks(_ positions: Int) -> Int {
        (positions + Kernels.keyBlock - 1) / Kernels.keyBlock * Kernels.keyBlock
    }

    /// Start of the keys of (`layer`, `kvHead`): `[position / 16][headDim][16]` (see `keys`).
    @inline(__always)
    func keyBase(layer: Int, kvHead: Int) -> UnsafeMutablePointer<UInt16> {
        keys + ((layer * kvHeadCount + kvHead) * capacity) * headDim
    }

    /// Start of the values of (`layer`, `kvHead`): `[position][headDim]`.
    @inline(__always)
    func valueBase(layer: Int, kvHead: Int) -> UnsafeMutablePointer<UInt16> {
        values + ((layer * kvHeadCount + kvHead) * capacity) * headDim
    }

    /// Marks `n` more positions as filled (after a forward pass wrote them).
    func commit(_ n: Int) {
        count += n
    }
}
