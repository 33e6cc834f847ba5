import Engine
import Speculation
import Synchronization
import Tokenizer

/// One document's model state: the prompt tokens evaluated so far and their KV cache.
final class DocumentSession: @unchecked Sendable {
    /// Tokens whose keys/values are in `cache`, in order (`cache.count == tokens.count`).
    var tokens: [TokenID] = []
    let cache: KVCache
    /// Where the prompt's prefix window started last time (a byte offset in the document).
    var windowStart: Int?
    var lastUsed: UInt64 = 0
    /// The draft model's tokens and cache for this document (speculative decoding), made on first use.
    var draft: DraftSession?

    init(cache: KVCache) { self.cache = cache }

    /// Bytes of the primary's and the draft's caches.
    var byteCount: Int { cache.byteCount + (draft?.cache.byteCount ?? 0) }

    /// Keeps the first `count` tokens (and their cache entries).
    func truncate(to count: Int) {
        guard count < tokens.count else { return }
        tokens.removeLast(tokens.count - count)
        cache.truncate(to: count)
    }

    /// Keeps the first `count` tokens of both the primary's and the draft's state.
    func truncateBoth(to count: Int) {
        truncate(to: count)
        draft?.truncate(to: count)
    }
}

/// Every open document's session, within a byte budget shared by all (least recently used evicted first).
/// Sessions are used by one completion at a time (the server's worker is serial); the lock guards the table.
final class DocumentSessions: Sendable {
    private struct Table {
        var sessions: [String: DocumentSession] = [:]
        var clock: UInt64 = 0
    }

    private let table = Mutex(Table())
    let budgetBytes: Int
    private let makeCache: @Sendable () -> KVCache

    init(budgetBytes: Int, makeCache: @escaping @Sendable () -> KVCache) {
        self.budgetBytes = budgetBytes
        self.makeCache = makeCache
    }

    /// The session for `uri` (new if needed), marked most recently used.
    func session(for uri: String) -> DocumentSession {
        table.withLock { table in
            table.clock += 1
            if let existing = table.sessions[uri] {
                existing.lastUsed = table.clock
                return existing
            }
            let session = DocumentSession(cache: makeCache())
            session.lastUsed = table.clock
            table.sessions[uri] = session
            return session
        }
    }

    /// Frees a document's session.
    func remove(_ uri: String) {
        _ = table.withLock { $0.sessions.removeValue(forKey: uri) }
    }

    /// Evicts least recently used sessions (never `keep`) until the total fits the budget; if `keep` alone
    /// is over budget, its cache is cut back to what fits.
    func enforceBudget(keep: String) {
        table.withLock { table in
            func total() -> Int { table.sessions.values.reduce(0) { $0 + $1.byteCount } }
            while total() > budgetBytes,
                  let victim = table.sessions.filter({ $0.key != keep }).min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                table.sessions.removeValue(forKey: victim.key)
            }
            if let session = table.sessions[keep], session.byteCount > budgetBytes {
                // One document larger than the whole budget: drop its state rather than exceed the budget.
                // Removed, not replaced by an empty session: a fresh cache already reserves a chunk of
                // positions that can itself exceed a tiny budget (`--cache-mb 1`); the next request makes one.
                session.truncate(to: 0)
                session.windowStart = nil
                table.sessions.removeValue(forKey: keep)
            }
        }
    }

    var count: Int { table.withLock { $0.sessions.count } }
    var totalBytes: Int { table.withLock { $0.sessions.values.reduce(0) { $0 + $1.byteCount } } }
}
