import Foundation

public enum TaskIDKind: ShortIDKind { public static let prefix: Character = "t" }
public typealias TaskID = ShortID<TaskIDKind>

/// D11: a task's status.
public enum TaskStatus: String, Sendable, CaseIterable, Codable {
    case scheduled, pending, running, succeeded, partiallyFailed = "partially_failed", failed, rolledBack = "rolled_back"

    public var isFinished: Bool { [.succeeded, .partiallyFailed, .failed, .rolledBack].contains(self) }

    /// The status as people read it ("partially failed"); `rawValue` is for JSON.
    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// The status with the resources already rolled back, so a task that stays
    /// "succeeded" after one of its resources was rolled back says so:
    /// "succeeded, 1 rolled back".
    public func words(rolledBack: Int) -> String {
        rolledBack > 0 && self != .rolledBack ? "\(words), \(rolledBack) rolled back" : words
    }
}

/// D11: one certificate-resource pair's status.
public enum PairStatus: String, Sendable, CaseIterable, Codable {
    /// `skipped`: never started, because a canary host failed (S11).
    case pending, deploying, succeeded, failed, skipped, rollingBack = "rolling_back", rolledBack = "rolled_back"

    /// The status as people read it ("rolled back"); `rawValue` is for JSON.
    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

public struct Contact: Sendable, Equatable {
    public var name: String
    public var email: String
    public init(name: String, email: String = "") {
        self.name = name
        self.email = email
    }
}

/// A deployment task (SPEC 5).
public struct DeploymentTask: Sendable, Equatable {
    public var id: TaskID
    public var name: String
    public var status: TaskStatus
    public var certificateIDs: [CertificateID]
    public var contacts: [String]
    /// When a scheduled task runs; nil for "now".
    public var scheduledAt: Date?
    public var createdAt: Date
    public var createdBy: String
    public var finishedAt: Date?
    public var pairs: [TaskPair]

    public init(id: TaskID, name: String, status: TaskStatus, certificateIDs: [CertificateID], contacts: [String],
                scheduledAt: Date?, createdAt: Date, createdBy: String, finishedAt: Date? = nil, pairs: [TaskPair]) {
        self.id = id
        self.name = name
        self.status = status
        self.certificateIDs = certificateIDs
        self.contacts = contacts
        self.scheduledAt = scheduledAt
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.finishedAt = finishedAt
        self.pairs = pairs
    }

    public func count(_ status: PairStatus) -> Int { pairs.filter { $0.status == status }.count }
    public var statusWords: String { status.words(rolledBack: count(.rolledBack)) }
}

/// One certificate on one resource, inside a task.
public struct TaskPair: Sendable, Equatable {
    public var id: Int64
    public var resourceID: ResourceID
    public var certificateID: CertificateID
    public var service: String
    public var region: String?
    public var resourceName: String
    public var status: PairStatus
    public var cause: String
    /// What the resource had before, for roll back (D12).
    public var previousCertificateID: CertificateID?
    /// Whether this pair holds a unit of quota now (D9, D10).
    public var charged: Bool
    /// The account its resource belongs to (R6), kept with the pair as the resource may go.
    public var account: String

    public init(id: Int64, resourceID: ResourceID, certificateID: CertificateID, service: String, region: String?,
                resourceName: String, status: PairStatus, cause: String = "", previousCertificateID: CertificateID? = nil,
                charged: Bool = false, account: String = Account.sandboxName) {
        self.account = account
        self.id = id
        self.resourceID = resourceID
        self.certificateID = certificateID
        self.service = service
        self.region = region
        self.resourceName = resourceName
        self.status = status
        self.cause = cause
        self.previousCertificateID = previousCertificateID
        self.charged = charged
    }
}

/// One change of a pair's status, with when it happened and why: what a
/// pair's details show, step by step (issue 22).
public struct PairStep: Sendable, Equatable {
    public var at: Date
    public var status: PairStatus
    public var cause: String
    public init(at: Date, status: PairStatus, cause: String = "") {
        self.at = at
        self.status = status
        self.cause = cause
    }
}

/// A task without its pairs: what lists and headers show, read from counts
/// the store keeps, so that a task of 100,000 pairs costs what a task of one does.
public struct TaskSummary: Sendable, Equatable {
    public var id: TaskID
    public var name: String
    public var status: TaskStatus
    /// The first few of its certificates, and how many it has in all.
    public var firstCertificates: [CertificateID]
    public var certificateCount: Int
    public var scheduledAt: Date?
    public var createdAt: Date
    public var finishedAt: Date?
    /// Pairs by service (in the order the task first named them) and status.
    public var pairCounts: [PairCount]

    public struct PairCount: Sendable, Equatable {
        public var service: String
        public var status: PairStatus
        public var count: Int
        public init(service: String, status: PairStatus, count: Int) {
            self.service = service
            self.status = status
            self.count = count
        }
    }

    public init(id: TaskID, name: String, status: TaskStatus, firstCertificates: [CertificateID], certificateCount: Int,
                scheduledAt: Date?, createdAt: Date, finishedAt: Date?, pairCounts: [PairCount]) {
        self.id = id
        self.name = name
        self.status = status
        self.firstCertificates = firstCertificates
        self.certificateCount = certificateCount
        self.scheduledAt = scheduledAt
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.pairCounts = pairCounts
    }

    public var pairTotal: Int { pairCounts.reduce(0) { $0 + $1.count } }
    public func count(_ status: PairStatus) -> Int { pairCounts.filter { $0.status == status }.reduce(0) { $0 + $1.count } }
    public var statusWords: String { status.words(rolledBack: count(.rolledBack)) }
    /// The services of its pairs, each once.
    public var services: [String] {
        var seen: [String] = []
        for entry in pairCounts where !seen.contains(entry.service) { seen.append(entry.service) }
        return seen
    }
    /// "c1 c2 c3 +997 more"
    public var certificateText: String {
        let shown = firstCertificates.map(\.description).joined(separator: " ")
        return certificateCount > firstCertificates.count ? "\(shown) +\(certificateCount - firstCertificates.count) more" : shown
    }
}
