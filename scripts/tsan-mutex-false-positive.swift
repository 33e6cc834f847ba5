// ThreadSanitizer reports a race on state that is only touched inside `Synchronization.Mutex.withLock`
// (the Mutex lives in the uninstrumented toolchain library). Docs/Reliability.md, "Sanitizers".
//   swiftc -O -sanitize=thread scripts/tsan-mutex-false-positive.swift -o /tmp/m && /tmp/m
import Foundation
import Synchronization

final class Box: @unchecked Sendable { let state = Mutex<(n: Int, done: Bool)>((0, false)) }
let box = Box()
for _ in 0..<50 {
    Thread.detachNewThread { box.state.withLock { $0.n += 1; $0.done = true } }
}
var seen = 0
while seen < 50 { seen = box.state.withLock { $0.n } }
print("ok", seen)
