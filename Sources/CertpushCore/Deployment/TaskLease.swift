import Foundation

/// Who is working on a task, and until when that claim holds without a
/// heartbeat (D14). A runner renews it at every commit; a claim whose time
/// has passed, or whose process is gone, may be taken over. The time is what
/// tells a dead runner, not the process id alone, which the system reuses.
public struct TaskLease: Sendable, Equatable {
    public var runner: Int32
    /// T2: the host the runner is on; its process id means something only there.
    public var host: String
    public var until: Date
    public init(runner: Int32, host: String = TaskLease.localHost, until: Date) {
        self.runner = runner
        self.host = host
        self.until = until
    }

    /// This machine's name, as leases and push intents record it.
    public static let localHost: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// T2: whether a runner that claimed work until `until` may still be at
    /// it. One on this host is asked of its process; one on another host is
    /// judged by its lease alone, since a process id means nothing here.
    public static func mayStillRun(runner: Int32, host: String, until: Date, now: Date, localHost: String,
                                   isAlive: (Int32) -> Bool) -> Bool {
        guard until > now else { return false }
        return host != localHost || isAlive(runner)
    }
}

/// What the engine needs to know of a task to claim it, without its pairs.
public struct TaskState: Sendable, Equatable {
    public var status: TaskStatus
    public var scheduledAt: Date?
    public var lease: TaskLease?
    public init(status: TaskStatus, scheduledAt: Date?, lease: TaskLease?) {
        self.status = status
        self.scheduledAt = scheduledAt
        self.lease = lease
    }

    /// D14: pending, or scheduled and due.
    public func isQueued(at now: Date) -> Bool {
        status == .pending || (status == .scheduled && (scheduledAt ?? now) <= now)
    }
}

/// How one resource's roll back went (D12): each is reported on its own.
public struct RollbackOutcome: Sendable, Equatable {
    public var resource: ResourceID
    public var resourceName: String
    /// The certificate the task had put there.
    public var replaced: CertificateID
    /// What the resource holds again when it worked (nil: no certificate).
    public var restored: CertificateID?
    /// Why it did not work; nil when it did.
    public var failure: String?
    /// A server site: its backup files went back, whatever certificate they
    /// hold (one certpush did not know is not "no certificate").
    public var restoresFiles = false

    public init(resource: ResourceID, resourceName: String, replaced: CertificateID, restored: CertificateID?,
                failure: String? = nil, restoresFiles: Bool = false) {
        self.resource = resource
        self.resourceName = resourceName
        self.replaced = replaced
        self.restored = restored
        self.failure = failure
        self.restoresFiles = restoresFiles
    }

    public var sentence: String {
        let name = DisplayText.neutralized(resourceName)
        if let failure { return "\(resource) \(name): not rolled back: \(failure)." }
        if restored == replaced { return "\(resource) \(name): keeps \(replaced), which it held before the task too." }
        let back = restored.map { "\($0) is back" } ?? (restoresFiles ? "its previous files are back" : "no certificate again")
        return "\(resource) \(name): \(back) (was \(replaced))."
    }
}
