import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Temporary files and child processes of fetches in flight, so that an interrupt (SIGINT, SIGTERM, SIGHUP)
/// can remove the files and stop the children before the process exits.
///
/// Fetches always clean up after a thrown error themselves; this only covers signals. A fetch killed with
/// SIGKILL leaves its temporary files behind, and the next fetch of the same model removes them (it holds
/// the model's lock, so nobody else can be writing them).
public enum FetchCleanup {
    private struct State {
        var paths: [Int: (path: String, isDirectory: Bool)] = [:]
        var children: Set<Int32> = []
        var next = 0
    }

    private static let state = Mutex(State())
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let installed = Mutex(false)

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that stop registered children, remove registered
    /// temporary files and exit with 128 + the signal number. Call once, early (the CLI does for `fetch`).
    public static func installSignalHandlers() {
        let first = installed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let queue = DispatchQueue(label: "augur.models.signals")
        // A parent that started us from a thread blocking these signals passed its mask on; take them again.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblock, sig) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                cleanUpNow()
                _exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Kills registered children and removes registered files now. (SIGKILL: children may have been started
    /// from a thread that blocks SIGTERM, and the mask is inherited; pip and curl need no cleanup of their own.)
    public static func cleanUpNow() {
        let (paths, children) = state.withLock { ($0.paths.values.map { $0 }, $0.children) }
        for pid in children { kill(pid, SIGKILL) }
        for entry in paths {
            if entry.isDirectory { FileSystem.removeTree(entry.path) } else { unlink(entry.path) }
        }
    }

    static func register(path: String, isDirectory: Bool = false) -> Int {
        state.withLock { s in
            s.next += 1
            s.paths[s.next] = (path, isDirectory)
            return s.next
        }
    }

    static func unregister(_ token: Int) { _ = state.withLock { $0.paths.removeValue(forKey: token) } }

    static func register(child pid: Int32) { _ = state.withLock { $0.children.insert(pid) } }

    static func unregister(child pid: Int32) { _ = state.withLock { $0.children.remove(pid) } }
}
