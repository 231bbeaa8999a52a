import CertpushCore
import Foundation

/// One piece of work running away from the keys (K1): what the message line
/// calls it ("roll back r5") and, for a task's run (a deploy, a retry), which
/// task, so that its progress can be read while it runs.
public struct BackgroundWork: Sendable, Hashable {
    public let id: Int
    public let label: String
    public let task: TaskID?

    public init(id: Int, label: String, task: TaskID? = nil) {
        self.id = id
        self.label = label
        self.task = task
    }
}

/// Runs provider work (a task, a roll back, a push, a bind, a verify)
/// away from the keys and the screen, several pieces at once; the console
/// takes what finished after each key and on its ticks, and redraws from the
/// database meanwhile, so statuses change on screen live.
public protocol BackgroundRunner: AnyObject, Sendable {
    /// What runs now, oldest first.
    var running: [BackgroundWork] { get }
    /// Starts `body` beside whatever runs.
    func start(_ work: BackgroundWork, _ body: @escaping @Sendable () throws -> any Sendable)
    /// What finished since the last call, each with its result.
    func drain() -> [(work: BackgroundWork, result: Result<any Sendable, Error>)]
}

extension BackgroundRunner {
    public var isBusy: Bool { !running.isEmpty }
}

/// Runs the work at once, on the caller's thread: tests stay synchronous.
public final class InlineRunner: BackgroundRunner, @unchecked Sendable {
    private var done: [(BackgroundWork, Result<any Sendable, Error>)] = []
    public init() {}
    public var running: [BackgroundWork] { [] }

    public func start(_ work: BackgroundWork, _ body: @escaping @Sendable () throws -> any Sendable) {
        done.append((work, Result { try body() }))
    }

    public func drain() -> [(work: BackgroundWork, result: Result<any Sendable, Error>)] {
        defer { done = [] }
        return done.map { ($0.0, $0.1) }
    }
}

/// Runs each piece of work on a thread of its own.
public final class ThreadRunner: BackgroundRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var active: [BackgroundWork] = []
    private var done: [(BackgroundWork, Result<any Sendable, Error>)] = []

    public init() {}

    public var running: [BackgroundWork] { lock.withLock { active } }

    public func start(_ work: BackgroundWork, _ body: @escaping @Sendable () throws -> any Sendable) {
        lock.withLock { active.append(work) }
        Thread.detachNewThread { [self] in
            let result = Result { try body() }
            lock.withLock {
                done.append((work, result))
                active.removeAll { $0.id == work.id }
            }
        }
    }

    public func drain() -> [(work: BackgroundWork, result: Result<any Sendable, Error>)] {
        lock.withLock {
            defer { done = [] }
            return done.map { ($0.0, $0.1) }
        }
    }
}
