#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A small fixed pool of compute threads for the forward pass: `run(_:)` calls `body(i)` once for every
/// `i` in `0..<threadCount` — on the calling thread for `i == 0`, on the workers for the rest — and returns
/// when all have finished. Synchronous by design: the token loop owns the calling thread.
///
/// Workers spin for a short while after each job (a decode step issues a few hundred jobs, microseconds
/// apart) and then park on a condition variable, so an idle pool costs no CPU. Not reentrant: one `run` at a
/// time (the `Model` that owns it serializes its forward passes).
public final class ThreadPool: @unchecked Sendable {
    public let threadCount: Int

    /// Incremented (release) to publish a job; workers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// Workers still running the current job.
    private let pending = Atomic<Int>(0)
    /// Workers parked (or about to park) on `condition`; `run` only takes the lock when some are.
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// The current job; written by `run` before the generation bump, read by workers after seeing it.
    private var job: ((Int) -> Void)?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var threads: [pthread_t] = []

    /// Spin iterations (each with a pause) before a worker parks: roughly 50–100 µs.
    private static let spinLimit = 20_000

    public init(threadCount: Int = 2) {
        self.threadCount = max(1, threadCount)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
        for index in 1..<self.threadCount {
            let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.workerLoop(index: context.index)
                return nil
            }, context)
            precondition(status == 0, "pthread_create failed: \(status)")
            threads.append(thread)
        }
    }

    deinit {
        stopping.store(true, ordering: .releasing)
        pthread_mutex_lock(mutex)
        generation.add(1, ordering: .releasing)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body(0)` here and `body(1…threadCount-1)` on the workers; returns when all are done.
    public func run(_ body: (Int) -> Void) {
        if threadCount == 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            job = body
            pending.store(threadCount - 1, ordering: .relaxed)
            // Sequentially consistent with the worker's `sleepers` increment and re-check (Dekker): either
            // we see it asleep and signal, or it sees the new generation before waiting.
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(condition)
                pthread_mutex_unlock(mutex)
            }
            body(0)
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > Self.spinLimit { sched_yield() } else { spinPause() }
            }
            job = nil
        }
    }

    /// Splits `0..<count` into `threadCount` contiguous chunks whose boundaries are multiples of
    /// `granularity` and runs `body(range)` for each non-empty chunk in parallel.
    public func parallelFor(_ count: Int, granularity: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = (count + granularity - 1) / granularity
        if threadCount == 1 || chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let workers = min(threadCount, chunks)
        run { index in
            guard index < workers else { return }
            let lo = min(count, chunks * index / workers * granularity)
            let hi = min(count, chunks * (index + 1) / workers * granularity)
            if lo < hi { body(lo..<hi) }
        }
    }

    private func workerLoop(index: Int) {
        // Generation 0 is "no job yet" (the pool is created before any run): a worker that starts late must
        // still run every job published since, so it does not read the current generation here.
        var seen = 0
        while true {
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                if spins < Self.spinLimit {
                    spinPause()
                } else {
                    pthread_mutex_lock(mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen {
                        pthread_cond_wait(condition, mutex)
                    }
                    sleepers.subtract(1, ordering: .relaxed)
                    pthread_mutex_unlock(mutex)
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if stopping.load(ordering: .acquiring) { return }
            job?(index)
            pending.subtract(1, ordering: .releasing)
        }
    }
}

private final class WorkerContext {
    let pool: ThreadPool
    let index: Int
    init(pool: ThreadPool, index: Int) {
        self.pool = pool
        self.index = index
    }
}

@inline(__always)
private func spinPause() {
    // A spin-wait iteration; the atomic load in the loop condition keeps it from being optimized away.
}
