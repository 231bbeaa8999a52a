import Foundation

/// Deployment tasks (SPEC 5): preview, create, the task queue and the engine
/// that runs pairs through the provider, roll back, retry, delete, contacts.
///
/// Every provider action follows SPEC R3: the intent is committed, the
/// provider is called outside any transaction, the result is committed. A
/// crash therefore leaves at most one action per task at intent, and
/// `recover` settles it by asking the provider what is true.
public struct DeploymentService: Sendable {
    public static let quotaKey = "deployment.quota"
    /// How long a claim on a task holds without a heartbeat: longer than any
    /// one provider call with its retries (R4), so a live runner never loses it.
    public static let leaseDuration: TimeInterval = 120

    public let store: any Store
    /// Who acts on each account's resources.
    public let drivers: Drivers
    public let time: any TimeSource
    public let user: String
    /// This process, recorded as the runner of what it claims.
    public let processID: Int32
    /// This host (T2): a lease names it beside the process.
    public var host = TaskLease.localHost
    /// Whether a process that claimed a task is still alive (another console, cron).
    public let isAlive: @Sendable (Int32) -> Bool
    /// Called after a task ends, once per notification (runs `notify_command`):
    /// nil when it was delivered (or there is nothing to run), else why not.
    public let deliver: @Sendable (TaskNotification) -> String?
    /// How long `create` waits between looks at a task another process took from the queue.
    public var pollInterval: TimeInterval = 0.1
    /// A training workspace's exercise log (E3); nil in a live one.
    public var exercises: ExerciseLog?

    public init(store: any Store, drivers: Drivers, time: any TimeSource = SystemTime(), user: String,
                processID: Int32, isAlive: @escaping @Sendable (Int32) -> Bool,
                deliver: @escaping @Sendable (TaskNotification) -> String? = { _ in nil }) {
        self.store = store
        self.drivers = drivers
        self.time = time
        self.user = user
        self.processID = processID
        self.isAlive = isAlive
        self.deliver = deliver
    }

    // MARK: Planning

    public func quotaRemaining() throws -> Int {
        try store.read { try Self.quota(in: $0) }
    }

    static func quota(in db: any StoreReader) throws -> Int {
        Int(try db.value(forKey: quotaKey) ?? "0") ?? 0
    }

    /// D5: the resources the certificates match, found through the domain indexes.
    public func smartMatches(for ids: [CertificateID]) throws -> [CloudResource] {
        try store.read { db in try smartMatches(for: try db.certificates(ids, pems: false), in: db) }
    }

    private func smartMatches(for certificates: [Certificate], in db: any StoreReader) throws -> [CloudResource] {
        let keys = DeploymentRules.lookupKeys(for: certificates)
        return DeploymentRules.smartMatches(for: certificates, among: try db.resources(servingAnyOf: keys.domains, orUnder: keys.parents))
    }

    /// D9: the task as it would be made. Reading it, and meeting D3 or D4
    /// in it, are exercises (E3).
    public func preview(_ request: TaskRequest) throws -> TaskPlan {
        let planned = try store.read { try plan(request, in: $0) }
        noteExercises(of: planned)
        exercises.note(.preview)
        return planned
    }

    /// D5 in the wizard: the trainee took the resources smart matching offered.
    public func smartMatchesAccepted() { exercises.note(.smartMatch) }

    private func noteExercises(of plan: TaskPlan) {
        if plan.refusedBy.contains("D3") { exercises.note(.chineseNameRefused) }
        if plan.refusedBy.contains("D4") { exercises.note(.smRefused) }
        if plan.request.match && !plan.pairs.isEmpty { exercises.note(.smartMatch) }
    }

    private func plan(_ request: TaskRequest, in db: any StoreReader) throws -> TaskPlan {
        let certificateIDs = Self.unique(request.certificates)
        let certificates = try db.certificates(certificateIDs, pems: false)
        let foundCertificates = Set(certificates.map(\.id))
        if let missing = certificateIDs.first(where: { !foundCertificates.contains($0) }) {
            throw Refusal("There is no certificate \(missing).")
        }
        // The matched resources are read once, by the match; only those named besides are read by id.
        let matched = request.match ? try smartMatches(for: certificates, in: db) : []
        let resourceIDs = Self.unique(request.resources + matched.map(\.id))
        var resources = Dictionary(matched.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for resource in try db.resources(request.resources.filter { resources[$0] == nil }) { resources[resource.id] = resource }
        if let missing = resourceIDs.first(where: { resources[$0] == nil }) {
            throw Refusal("There is no resource \(missing).")
        }
        // D7 compares with what the resources hold now, on the services that keep the domain.
        let heldIDs = Self.unique(resources.values.compactMap { resource in
            CloudService.named(resource.service)?.replacementDomainRule == true ? resource.certificateID : nil
        })
        let held = Dictionary(try db.certificates(heldIDs, pems: false).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // S8: server sites that load the same file as one of the task's.
        let servers = resourceIDs.filter { resources[$0].flatMap { CloudService.named($0.service)?.onServers } == true }
        return DeploymentRules.plan(
            request, certificates: certificates, resources: resourceIDs.compactMap { resources[$0] },
            knownContacts: Set(try db.contacts().map(\.name)), quotaRemaining: try Self.quota(in: db), now: time.now(),
            replaced: held, sharingFile: servers.isEmpty ? [:] : try db.sitesSharingFile(with: servers))
    }

    /// D1 as the wizard's first step checks it: name, contacts, time.
    public func basicsProblems(_ request: TaskRequest) throws -> [String] {
        try store.read { db in
            DeploymentRules.basicsProblems(request, knownContacts: Set(try db.contacts().map(\.name)), now: time.now())
        }
    }

    /// The items in their first order, each once (a resource named twice is one resource, D5a).
    static func unique<T: Hashable>(_ items: [T]) -> [T] {
        var seen = Set<T>()
        return items.filter { seen.insert($0).inserted }
    }

    // MARK: Creating

    /// Creates the task. Without a custom time it joins the queue and, when
    /// `runNow` is set, runs before this returns (or, if another process took
    /// it from the queue first, this waits until that process is done).
    public func create(_ request: TaskRequest, runNow: Bool = true) throws -> DeploymentTask {
        let now = time.now()
        var planned: TaskPlan?
        defer { if let planned { noteExercises(of: planned) } }
        let created: DeploymentTask = try store.write { db in
            let plan = try plan(request, in: db)
            planned = plan
            guard plan.canSubmit else { throw Refusal(plan.problems.joined(separator: " ")) }
            let resources = Dictionary(uniqueKeysWithValues: plan.resources.map { ($0.id, $0) })
            let pairs = plan.pairs.compactMap { pair in
                resources[pair.resource].map { resource in
                    TaskPair(id: 0, resourceID: resource.id, certificateID: pair.certificate, service: resource.service,
                             region: resource.region, resourceName: resource.name, status: .pending, account: resource.account)
                }
            }
            let task = DeploymentTask(
                id: TaskID(0), name: request.name.trimmingCharacters(in: .whitespaces),
                status: request.at == nil ? .pending : .scheduled, certificateIDs: plan.certificates.map(\.id),
                contacts: request.contacts, scheduledAt: request.at, createdAt: now, createdBy: user, pairs: pairs)
            let kept = try db.insert(task)
            try db.append(ActivityEntry(at: now, user: user, action: "task.create", subject: kept.id.description,
                                        detail: "\(task.name): " + Words.count(pairs.count, "pair") + (request.at.map { ", at \(ISOTime.string($0))" } ?? "")))
            return kept
        }
        if request.at == nil && runNow { return try runOrAwait(created.id) }
        // As kept: 100,000 pairs are not read back to be told what was just written.
        return created
    }

    // MARK: Reading

    public func task(_ id: TaskID) throws -> DeploymentTask {
        guard let task = try store.read({ try $0.task(id) }) else { throw Refusal("There is no task \(id).") }
        return task
    }

    public func tasks() throws -> [DeploymentTask] { try store.read { try $0.tasks() } }

    /// A pair's changes of status with their times and causes, oldest first.
    public func steps(of pair: TaskPair) throws -> [PairStep] { try store.read { try $0.steps(ofPair: pair.id) } }

    /// Every task without its pairs, newest first: what lists show.
    public func summaries() throws -> [TaskSummary] { try store.read { try $0.taskSummaries() } }

    public func summary(_ id: TaskID) throws -> TaskSummary {
        guard let summary = try store.read({ try $0.taskSummary(id) }) else { throw Refusal("There is no task \(id).") }
        return summary
    }

    /// S11: how far each host of a server service has come in a task:
    /// "web1 10/10 · web2 3/10, 1 failed", in the order the task met them.
    public func hostProgress(of task: TaskID, service: String) throws -> String? {
        guard CloudService.named(service)?.onServers == true else { return nil }
        var hosts: [String] = [], counts: [String: [PairStatus: Int]] = [:]
        for (region, status, count) in try store.read({ try $0.pairCountsByRegion(task, service: service) }) {
            if counts[region] == nil { hosts.append(region) }
            counts[region, default: [:]][status, default: 0] += count
        }
        guard hosts.count > 1 else { return nil }
        return hosts.map { host in
            let mine = counts[host] ?? [:], total = mine.values.reduce(0, +)
            let done = total - (mine[.pending] ?? 0) - (mine[.deploying] ?? 0)
            let troubles = [(PairStatus.failed, "failed"), (.skipped, "skipped"), (.rolledBack, "rolled back")].compactMap { status, word in
                (mine[status] ?? 0) > 0 ? "\(mine[status]!) \(word)" : nil
            }
            return "\(host) \(done)/\(total)" + (troubles.isEmpty ? "" : ", " + troubles.joined(separator: ", "))
        }.joined(separator: " · ")
    }

    /// A page of a task's pairs on one service, by pair id.
    public func pairs(of task: TaskID, service: String, _ anchor: PageAnchor<Int64>, limit: Int) throws -> [TaskPair] {
        try store.read { try $0.pairPage(task, service: service, anchor, limit: limit) }
    }

    // MARK: Contacts and the outbox

    public func contacts() throws -> [Contact] { try store.read { try $0.contacts() } }

    public func save(_ contact: Contact, replacing oldName: String? = nil) throws {
        let name = contact.name.trimmingCharacters(in: .whitespaces)
        if let problem = NameRule.problem(with: name, subject: "A contact's name") { throw Refusal(problem) }
        let email = contact.email.trimmingCharacters(in: .whitespaces)
        if let problem = EmailRule.problem(with: email) { throw Refusal(problem) }
        try store.write { db in
            try db.saveContact(Contact(name: name, email: email), replacing: oldName)
            try db.append(ActivityEntry(at: time.now(), user: user, action: "contact.save", subject: name))
        }
    }

    public func deleteContact(named name: String) throws {
        try store.write { db in
            try db.deleteContact(named: name)
            try db.append(ActivityEntry(at: time.now(), user: user, action: "contact.delete", subject: name))
        }
    }

    public func outbox(limit: Int = 100) throws -> [TaskNotification] { try store.read { try $0.notifications(limit: limit) } }

    /// Where the time an account's resources were last synchronized is kept.
    public static func lastSyncKey(_ account: String) -> String { "account.\(account).last_sync" }
}
