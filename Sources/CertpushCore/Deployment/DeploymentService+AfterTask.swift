import Foundation

/// What can be done to a finished task: roll back (D12), retry (D17), delete (D13).
extension DeploymentService {
    /// D12: puts back, on each chosen resource, what it had before the task.
    /// Each resource is its own action (R3) and is reported on its own: one
    /// that fails leaves the others rolled back.
    public func rollBack(_ id: TaskID, resources: [ResourceID]? = nil) throws -> [RollbackOutcome] {
        let chosen = try store.write { db in
            try claimPairs(of: id, resources, for: .rollBack, in: db)
        }
        // S11: a servers account's hosts at once, each host's sites in order.
        let outcomes = try inLanes(chosen) { pair in try rollBackOne(pair, of: id) }
        try store.write { db in
            try settleRollbackStatus(of: id, in: db)
            try db.setLease(id, nil)
            try db.append(ActivityEntry(at: time.now(), user: user, action: "task.rollback", subject: id.description,
                                        detail: outcomes.map(\.sentence).joined(separator: " ")))
        }
        return outcomes
    }

    /// One resource's roll back: its intent, the call with no transaction open, its result (R3).
    private func rollBackOne(_ pair: TaskPair, of id: TaskID) throws -> RollbackOutcome {
        let started: (pair: TaskPair, resource: CloudResource, previous: CertificateMaterial?)? = try store.write { db in
            guard try renewClaim(on: id, in: db) else { throw ClaimLost() }
            guard let resource = try db.resource(pair.resourceID) else { return nil }
            var rolling = pair
            rolling.status = .rollingBack
            try db.update(rolling, at: time.now())
            return (rolling, resource, try pair.previousCertificateID.flatMap { try Self.materials([$0], in: db)[$0] })
        }
        guard let started else {
            return RollbackOutcome(resource: pair.resourceID, resourceName: pair.resourceName, replaced: pair.certificateID,
                                   restored: nil, failure: "the resource no longer exists")
        }
        let cause = call(on: pair.resourceID, expecting: pair.previousCertificateID, insteadOf: pair.certificateID) {
            if let previous = pair.previousCertificateID, started.previous == nil { throw ProviderFailure("\(previous) no longer exists") }
            try drivers.deployer(started.resource.account).rollBack(started.resource, to: started.previous)
        }
        try store.write { db in
            _ = try renewClaim(on: id, in: db)
            guard let cause else { return try markRolledBack(started.pair, in: db) }
            var kept = started.pair
            kept.status = .succeeded
            kept.cause = "roll back failed: \(cause)"
            try db.update(kept, at: time.now())
        }
        return RollbackOutcome(resource: pair.resourceID, resourceName: pair.resourceName, replaced: pair.certificateID,
                               restored: pair.previousCertificateID, failure: cause,
                               restoresFiles: CloudService.named(pair.service)?.onServers == true)
    }

    /// D17: runs failed pairs again in the same task; quota is taken again
    /// and refunded again on failure. The task rejoins the queue; with
    /// `runNow` it runs before this returns.
    public func retry(_ id: TaskID, resources: [ResourceID]? = nil, runNow: Bool = true) throws -> DeploymentTask {
        let now = time.now()
        try store.write { db in
            let chosen = try claimPairs(of: id, resources, for: .retry, in: db)
            for var pair in chosen {
                pair.status = .pending
                pair.cause = ""
                try db.update(pair, at: time.now())
            }
            try db.setStatus(id, .pending, finishedAt: nil)
            try db.setLease(id, nil)
            try db.append(ActivityEntry(at: now, user: user, action: "task.retry", subject: id.description,
                                        detail: chosen.map(\.resourceID.description).joined(separator: ", ")))
        }
        return runNow ? try runOrAwait(id) : try task(id)
    }

    /// D13: deletes finished, pending or scheduled tasks; one that is running,
    /// or being rolled back by another process, is refused.
    public func delete(_ ids: [TaskID]) throws {
        let now = time.now()
        try store.write { db in
            for id in ids {
                guard let task = try db.task(id), let state = try db.taskState(id) else { throw Refusal("There is no task \(id).") }
                guard task.status != .running else { throw Refusal("\(id) is running and cannot be deleted.") }
                guard !isHeldByOther(state.lease, at: now) else { throw Refusal("\(id) is being rolled back and cannot be deleted.") }
                try db.deleteTask(id)
                try db.append(ActivityEntry(at: now, user: user, action: "task.delete", subject: id.description, detail: task.name))
            }
        }
    }

    /// Claims a finished task for this process, so that no other rolls it
    /// back or retries it at the same time, and picks the pairs to act on:
    /// those named (each must be in `status`), or every one in `status`.
    /// A refusal rolls the claim back with the rest of the transaction.
    private func claimPairs(of id: TaskID, _ resources: [ResourceID]?, for action: AfterTaskAction,
                            in db: any StoreWriter) throws -> [TaskPair] {
        let status = action.needs
        guard let task = try db.task(id), let state = try db.taskState(id) else { throw Refusal("There is no task \(id).") }
        if let refusal = action.refusal(taskStatus: task.status, of: id) { throw Refusal(refusal) }
        guard !isHeldByOther(state.lease, at: time.now()) else {
            throw Refusal("\(id) is being worked on by another process; try again when it is done.")
        }
        try db.setLease(id, lease(at: time.now()))
        let chosen = try resources.map { named in
            try Self.unique(named).flatMap { resource -> [TaskPair] in
                let pairs = task.pairs.filter { $0.resourceID == resource }
                guard !pairs.isEmpty else { throw Refusal("\(resource) is not in \(task.id).") }
                return pairs
            }
        } ?? task.pairs.filter { action.accepts($0.status) }
        guard !chosen.isEmpty else { throw Refusal("\(id) has no \(status.words) resources to \(action.verb).") }
        if let refusal = chosen.lazy.compactMap(action.refusal(pair:)).first { throw Refusal(refusal) }
        return chosen
    }

    /// D17: the quota a retry of these failed resources (all failed ones when nil) would take again.
    public func retryQuota(_ id: TaskID, resources: [ResourceID]? = nil) throws -> Int {
        try store.read { db in
            guard let task = try db.task(id) else { throw Refusal("There is no task \(id).") }
            let chosen = Set(resources ?? [])
            let pairs = task.pairs.filter { AfterTaskAction.retry.accepts($0.status) && (resources == nil || chosen.contains($0.resourceID)) }
            let charged = Set(try db.certificates(Self.unique(pairs.map(\.certificateID)), pems: false).filter(DeploymentRules.isCharged).map(\.id))
            return pairs.filter { charged.contains($0.certificateID) && DeploymentRules.chargesQuota($0.service, account: $0.account) }.count
        }
    }
}

/// What can be done to a resource of a finished task, and when it cannot (D12, D17).
public enum AfterTaskAction: Sendable {
    case rollBack, retry

    /// The status a resource must be in.
    public var needs: PairStatus { self == .rollBack ? .succeeded : .failed }
    /// Whether a resource in this status can be acted on: a retry takes the skipped ones too (S11).
    public func accepts(_ status: PairStatus) -> Bool { status == needs || (self == .retry && status == .skipped) }
    var verb: String { self == .rollBack ? "roll back" : "retry" }
    var done: String { self == .rollBack ? "rolled back" : "retried" }

    /// Why a task in this status cannot be acted on, or nil.
    public func refusal(taskStatus: TaskStatus, of id: TaskID) -> String? {
        taskStatus.isFinished ? nil : "\(id) is \(taskStatus.words); only a finished task can be rolled back or retried."
    }

    /// Why this resource cannot be acted on, or nil: the console asks before it confirms.
    public func refusal(pair: TaskPair) -> String? {
        accepts(pair.status) ? nil
            : "\(pair.resourceID) cannot be \(done): its status is \(pair.status.words), not \(self == .retry ? "failed or skipped" : needs.words)."
    }
}
