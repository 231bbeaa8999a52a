import Foundation

/// Deployment tasks (SPEC 5): preview, create, the engine that runs them
/// pair by pair through the provider, schedules, recovery, roll back, retry.
/// Every status change commits as it happens, so a crash loses at most the
/// pair in flight, and `recover` finishes that one against the provider.
public struct DeploymentService: Sendable {
    public static let quotaKey = "deployment.quota"

    public let store: any Store
    public let provider: any CloudProvider
    public let time: any TimeSource
    public let user: String
    /// This process, recorded on the tasks it runs.
    public let processID: Int32
    /// Whether a process that claimed a task is still alive (another console, cron).
    public let isAlive: @Sendable (Int32) -> Bool
    /// Called after a task ends, once per notification (runs `notify_command`).
    public let deliver: @Sendable (TaskNotification) -> Void

    public init(store: any Store, provider: any CloudProvider, time: any TimeSource = SystemTime(), user: String,
                processID: Int32, isAlive: @escaping @Sendable (Int32) -> Bool,
                deliver: @escaping @Sendable (TaskNotification) -> Void = { _ in }) {
        self.store = store
        self.provider = provider
        self.time = time
        self.user = user
        self.processID = processID
        self.isAlive = isAlive
        self.deliver = deliver
    }

    // MARK: Planning

    public func quotaRemaining() throws -> Int {
        try store.read { try Int($0.value(forKey: Self.quotaKey) ?? "0") ?? 0 }
    }

    /// D5: the resources the certificates match, found through the domain indexes.
    public func smartMatches(for ids: [CertificateID]) throws -> [CloudResource] {
        try store.read { db in
            let certificates = try db.certificates(ids)
            let keys = DeploymentRules.lookupKeys(for: certificates)
            let candidates = try db.resources(servingAnyOf: keys.domains, orUnder: keys.parents)
            return DeploymentRules.smartMatches(for: certificates, among: candidates)
        }
    }

    public func preview(_ request: TaskRequest) throws -> TaskPlan {
        try store.read { try plan(request, in: $0) }
    }

    private func plan(_ request: TaskRequest, in db: any StoreReader) throws -> TaskPlan {
        let certificates = try db.certificates(request.certificates)
        if let missing = request.certificates.first(where: { id in !certificates.contains { $0.id == id } }) {
            throw Refusal("There is no certificate \(missing).")
        }
        var resourceIDs = request.resources
        if request.match {
            let keys = DeploymentRules.lookupKeys(for: certificates)
            let matched = DeploymentRules.smartMatches(for: certificates, among: try db.resources(servingAnyOf: keys.domains, orUnder: keys.parents))
            resourceIDs += matched.map(\.id).filter { !resourceIDs.contains($0) }
        }
        let resources = try db.resources(resourceIDs)
        if let missing = resourceIDs.first(where: { id in !resources.contains { $0.id == id } }) {
            throw Refusal("There is no resource \(missing).")
        }
        let ordered = resourceIDs.compactMap { id in resources.first { $0.id == id } }
        return DeploymentRules.plan(
            request, certificates: certificates, resources: ordered, knownContacts: Set(try db.contacts().map(\.name)),
            quotaRemaining: Int(try db.value(forKey: Self.quotaKey) ?? "0") ?? 0, now: time.now())
    }

    // MARK: Creating and running

    /// Creates the task; without a custom time it runs before this returns,
    /// unless `runNow` is false (the console runs it in the background).
    public func create(_ request: TaskRequest, runNow: Bool = true) throws -> DeploymentTask {
        let now = time.now()
        let id: TaskID = try store.write { db in
            let plan = try plan(request, in: db)
            guard plan.canSubmit else { throw Refusal(plan.problems.joined(separator: " ")) }
            let pairs = plan.pairs.map { pair in
                let resource = plan.resources.first { $0.id == pair.resource }!
                return TaskPair(id: 0, resourceID: resource.id, certificateID: pair.certificate, service: resource.service,
                                region: resource.region, resourceName: resource.name, status: .pending)
            }
            let task = DeploymentTask(
                id: TaskID(0), name: request.name.trimmingCharacters(in: .whitespaces),
                status: request.at == nil ? .pending : .scheduled, certificateIDs: request.certificates,
                contacts: request.contacts, scheduledAt: request.at, createdAt: now, createdBy: user, pairs: pairs)
            let id = try db.insert(task)
            try db.append(ActivityEntry(at: now, user: user, action: "task.create", subject: id.description,
                                        detail: "\(task.name): \(pairs.count) pairs" + (request.at.map { ", at \(ISO8601DateFormatter().string(from: $0))" } ?? "")))
            return id
        }
        if request.at == nil && runNow { _ = try run(id) }
        return try task(id)
    }

    public func task(_ id: TaskID) throws -> DeploymentTask {
        guard let task = try store.read({ try $0.task(id) }) else { throw Refusal("There is no task \(id).") }
        return task
    }

    public func tasks() throws -> [DeploymentTask] { try store.read { try $0.tasks() } }

    /// Claims a pending task and runs it; nil when another process has it (D14).
    @discardableResult
    public func run(_ id: TaskID) throws -> DeploymentTask? {
        let now = time.now()
        let claimed = try store.write { db -> Bool in
            guard try db.transition(id, from: [.pending, .scheduled], to: .running, at: now, runner: processID) else { return false }
            try chargeQuota(for: id, in: db)
            return true
        }
        guard claimed else { return nil }
        try runPairs(of: id)
        return try finish(id)
    }

    /// D10: quota is taken when the task runs, for each chargeable pair not yet charged.
    private func chargeQuota(for id: TaskID, in db: any StoreWriter) throws {
        guard let task = try db.task(id) else { return }
        let certificates = Dictionary(uniqueKeysWithValues: try db.certificates(task.certificateIDs).map { ($0.id, $0) })
        let due = task.pairs.filter { pair in
            pair.status == .pending && !pair.charged && certificates[pair.certificateID].map(DeploymentRules.isCharged) == true
        }
        var remaining = Int(try db.value(forKey: Self.quotaKey) ?? "0") ?? 0
        for var pair in due {
            if remaining > 0 {
                remaining -= 1
                pair.charged = true
            } else {
                pair.status = .failed
                pair.cause = "deployment quota exhausted"
            }
            try db.update(pair)
        }
        try db.setValue(String(remaining), forKey: Self.quotaKey)
    }

    /// Each pending pair on its own: one failure never stops the others (D17).
    private func runPairs(of id: TaskID) throws {
        for pendingPair in try task(id).pairs where pendingPair.status == .pending {
            // Deploying, with what the resource had before, committed first.
            let started: TaskPair? = try store.write { db in
                guard let resource = try db.resource(pendingPair.resourceID) else {
                    try finishPair(pendingPair, cause: "the resource no longer exists", in: db)
                    return nil
                }
                var pair = pendingPair
                pair.status = .deploying
                pair.previousCertificateID = resource.certificateID
                try db.update(pair)
                return pair
            }
            guard var pair = started else { continue }
            try store.write { db in
                guard let resource = try db.resource(pair.resourceID), let certificate = try db.certificate(pair.certificateID) else {
                    return try finishPair(pair, cause: "the resource or certificate no longer exists", in: db)
                }
                let old = try resource.certificateID.flatMap { try db.certificate($0) }
                if let cause = DeploymentRules.failure(deploying: certificate, to: resource, replacing: old) {
                    return try finishPair(pair, cause: cause, in: db)
                }
                do {
                    try provider.bind(certificate.id, to: resource, inventory: db)
                    pair.status = .succeeded
                    try db.update(pair)
                } catch let failure as ProviderFailure {
                    try finishPair(pair, cause: failure.cause, in: db)
                }
            }
        }
    }

    /// Fails a pair with its cause and refunds its quota (D10).
    private func finishPair(_ pair: TaskPair, cause: String, in db: any StoreWriter) throws {
        var failed = pair
        failed.status = .failed
        failed.cause = cause
        if failed.charged {
            failed.charged = false
            let remaining = Int(try db.value(forKey: Self.quotaKey) ?? "0") ?? 0
            try db.setValue(String(remaining + 1), forKey: Self.quotaKey)
        }
        try db.update(failed)
    }

    /// Sets the task's end status, writes the outbox, then delivers.
    private func finish(_ id: TaskID) throws -> DeploymentTask {
        let now = time.now()
        let notifications: [TaskNotification] = try store.write { db in
            guard let task = try db.task(id) else { return [] }
            let succeeded = task.count(.succeeded), failed = task.count(.failed)
            let status: TaskStatus = failed == 0 ? .succeeded : (succeeded == 0 ? .failed : .partiallyFailed)
            _ = try db.transition(id, from: [.running], to: status, at: now, runner: nil)
            let message = "Deployment task \(id) \"\(task.name)\" ended \(status.rawValue): \(succeeded) succeeded, \(failed) failed of \(task.pairs.count)."
            try db.append(ActivityEntry(at: now, user: user, action: "task.finish", subject: id.description, detail: message))
            let notifications = task.contacts.map { TaskNotification(taskID: id, contact: $0, at: now, message: message) }
            for notification in notifications { try db.append(notification) }
            return notifications
        }
        notifications.forEach(deliver)
        return try task(id)
    }

    // MARK: Schedules and recovery

    /// D14: recovers interrupted tasks, then runs every scheduled task whose
    /// time has come; each is claimed atomically, so it never runs twice.
    @discardableResult
    public func runDue() throws -> [TaskID] {
        try recover()
        var ran: [TaskID] = []
        for id in try store.read({ try $0.dueTasks(at: time.now()) }) where try run(id) != nil {
            ran.append(id)
        }
        return ran
    }

    /// Tasks left `running` by a process that is gone: their deploying pairs
    /// are checked against the provider, finished or failed "interrupted"
    /// (quota refunded), and the rest of the task runs.
    @discardableResult
    public func recover() throws -> [TaskID] {
        var recovered: [TaskID] = []
        for id in try store.read({ try $0.tasks(in: .running) }) {
            let adopted = try store.write { db -> Bool in
                if let runner = try db.runner(of: id), runner != processID, isAlive(runner) { return false }
                guard let task = try db.task(id),
                      try db.transition(id, from: [.running], to: .running, at: time.now(), runner: processID) else { return false }
                for var pair in task.pairs where pair.status == .deploying {
                    let resource = try db.resource(pair.resourceID)
                    if resource?.certificateID == pair.certificateID {
                        pair.status = .succeeded
                        try db.update(pair)
                    } else {
                        try finishPair(pair, cause: "interrupted", in: db)
                    }
                }
                return true
            }
            guard adopted else { continue }
            try runPairs(of: id)
            _ = try finish(id)
            recovered.append(id)
        }
        return recovered
    }

    // MARK: After a task

    /// D12: puts the previous certificate (or none) back on each resource.
    public func rollBack(_ id: TaskID, resources: [ResourceID]? = nil) throws -> DeploymentTask {
        let now = time.now()
        try store.write { db in
            guard let task = try db.task(id) else { throw Refusal("There is no task \(id).") }
            guard task.status.isFinished else { throw Refusal("\(id) is \(task.status.rawValue); only a finished task can be rolled back.") }
            let chosen = try pairs(of: task, resources, action: "rolled back")
            if let notSucceeded = chosen.first(where: { $0.status != .succeeded }) {
                throw Refusal("\(notSucceeded.resourceID) cannot be rolled back: it is \(notSucceeded.status.rawValue), not succeeded.")
            }
            for var pair in chosen {
                guard let resource = try db.resource(pair.resourceID) else { continue }
                do {
                    try provider.rollBack(resource, to: pair.previousCertificateID, inventory: db)
                } catch let failure as ProviderFailure {
                    throw Refusal("\(resource.id) cannot be rolled back: \(failure.cause).")
                }
                pair.status = .rolledBack
                try db.update(pair)
            }
            if let updated = try db.task(id), updated.count(.succeeded) == 0, updated.count(.rolledBack) > 0 {
                _ = try db.transition(id, from: [.succeeded, .partiallyFailed, .failed], to: .rolledBack, at: now, runner: nil)
            }
            try db.append(ActivityEntry(at: now, user: user, action: "task.rollback", subject: id.description,
                                        detail: chosen.map(\.resourceID.description).joined(separator: ", ")))
        }
        return try task(id)
    }

    /// D17: runs failed pairs again in the same task; quota is taken again
    /// and refunded again on failure.
    public func retry(_ id: TaskID, resources: [ResourceID]? = nil, runNow: Bool = true) throws -> DeploymentTask {
        let now = time.now()
        try store.write { db in
            guard let task = try db.task(id) else { throw Refusal("There is no task \(id).") }
            guard task.status.isFinished else { throw Refusal("\(id) is \(task.status.rawValue); only a finished task can be retried.") }
            let chosen = try pairs(of: task, resources, action: "retried").filter { resources != nil || $0.status == .failed }
            guard !chosen.isEmpty else { throw Refusal("\(id) has no failed resources to retry.") }
            if let notFailed = chosen.first(where: { $0.status != .failed }) {
                throw Refusal("\(notFailed.resourceID) cannot be retried: it is \(notFailed.status.rawValue), not failed.")
            }
            for var pair in chosen {
                pair.status = .pending
                pair.cause = ""
                try db.update(pair)
            }
            guard try db.transition(id, from: [task.status], to: .pending, at: now, runner: nil) else {
                throw Refusal("\(id) changed while it was being retried; try again.")
            }
            try db.append(ActivityEntry(at: now, user: user, action: "task.retry", subject: id.description,
                                        detail: chosen.map(\.resourceID.description).joined(separator: ", ")))
        }
        return try (runNow ? run(id) : nil) ?? task(id)
    }

    /// D13: deletes finished, pending or scheduled tasks; a running one is refused.
    public func delete(_ ids: [TaskID]) throws {
        let now = time.now()
        try store.write { db in
            for id in ids {
                guard let task = try db.task(id) else { throw Refusal("There is no task \(id).") }
                guard task.status != .running else { throw Refusal("\(id) is running and cannot be deleted.") }
                try db.deleteTask(id)
                try db.append(ActivityEntry(at: now, user: user, action: "task.delete", subject: id.description, detail: task.name))
            }
        }
    }

    private func pairs(of task: DeploymentTask, _ resources: [ResourceID]?, action: String) throws -> [TaskPair] {
        guard let resources else { return task.pairs.filter { action == "rolled back" ? $0.status == .succeeded : true } }
        return try resources.flatMap { resource -> [TaskPair] in
            let pairs = task.pairs.filter { $0.resourceID == resource }
            guard !pairs.isEmpty else { throw Refusal("\(resource) is not in \(task.id).") }
            return pairs
        }
    }

    // MARK: Contacts and the outbox

    public func contacts() throws -> [Contact] { try store.read { try $0.contacts() } }

    public func save(_ contact: Contact, replacing oldName: String? = nil) throws {
        let name = contact.name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Refusal("A contact's name must be 1 to 64 characters.")
        }
        try store.write { db in
            try db.saveContact(Contact(name: name, email: contact.email.trimmingCharacters(in: .whitespaces)), replacing: oldName)
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
}
