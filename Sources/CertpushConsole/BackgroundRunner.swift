import CertpushCore
import Foundation

/// Runs long work (a deployment task) away from the keys and the screen,
/// one piece at a time; the console asks for what finished on its ticks and
/// redraws from the database meanwhile, so statuses change on screen live.
public protocol BackgroundRunner: AnyObject, Sendable {
    var isBusy: Bool { get }
    /// Starts `work` unless something is already running; false when busy.
    /// `work` returns the sentence to show when it is done.
    func start(_ work: @escaping @Sendable () throws -> String) -> Bool
    /// What finished since the last call: each sentence, and whether it is an error.
    func drain() -> [(text: String, isError: Bool)]
}

/// Runs the work at once, on the caller's thread: tests stay synchronous.
public final class InlineRunner: BackgroundRunner, @unchecked Sendable {
    private var done: [(String, Bool)] = []
    public init() {}
    public var isBusy: Bool { false }

    public func start(_ work: @escaping @Sendable () throws -> String) -> Bool {
        done.append(Self.outcome(of: work))
        return true
    }

    public func drain() -> [(text: String, isError: Bool)] {
        defer { done = [] }
        return done.map { ($0.0, $0.1) }
    }

    static func outcome(of work: () throws -> String) -> (String, Bool) {
        do { return (try work(), false) } catch {
            return (DisplayText.neutralized((error as? CertpushError)?.sentence ?? "\(error)"), true)
        }
    }
}

/// Runs the work on a thread of its own.
public final class ThreadRunner: BackgroundRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var running = false
    private var done: [(String, Bool)] = []

    public init() {}

    public var isBusy: Bool { lock.withLock { running } }

    public func start(_ work: @escaping @Sendable () throws -> String) -> Bool {
        let started = lock.withLock {
            if running { return false }
            running = true
            return true
        }
        guard started else { return false }
        Thread.detachNewThread { [self] in
            let outcome = InlineRunner.outcome(of: work)
            lock.withLock {
                done.append(outcome)
                running = false
            }
        }
        return true
    }

    public func drain() -> [(text: String, isError: Bool)] {
        lock.withLock {
            defer { done = [] }
            return done.map { ($0.0, $0.1) }
        }
    }
}
