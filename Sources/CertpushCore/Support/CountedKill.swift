import Foundation

#if DEBUG
/// Fault injection for the crash tests (debug builds only): counts moments
/// and kills this process with SIGKILL at the Nth, N read from an
/// environment variable, as `kill -9` at that point would.
public final class CountedKill: @unchecked Sendable {
    private let limit: Int?
    private let delay: TimeInterval
    private let lock = NSLock()
    private var seen = 0

    /// `delay`: how long after the Nth moment the kill comes (0: at once;
    /// more: the work that moment started goes on without this process).
    public init(_ variable: String, delay: TimeInterval = 0) {
        limit = ProcessInfo.processInfo.environment[variable].flatMap(Int.init)
        self.delay = delay
    }

    /// Counts one moment; at the Nth, the kill.
    public func tick() {
        guard let limit, lock.withLock({ seen += 1; return seen == limit }) else { return }
        guard delay > 0 else {
            kill(getpid(), SIGKILL)
            return
        }
        Thread.detachNewThread { [delay] in
            Thread.sleep(forTimeInterval: delay)
            kill(getpid(), SIGKILL)
        }
    }
}
#endif
