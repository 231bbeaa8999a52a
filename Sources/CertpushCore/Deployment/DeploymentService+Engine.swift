import Foundation

/// The engine: the queue (D14), claims and heartbeats, running pairs through
/// the provider (R3), quota (D10), finishing and notifying (D15), recovery.
extension DeploymentService {
    // MARK: The queue

    /// D14: recovers what dead runners left, then runs every queued task
    /// (pending, or scheduled and due) until none is left. Each is claimed
    /// atomically, so no task runs twice however many processes drain.
    @discardableResult
    /// Runs every task that is due, after finishing those a dead process
    /// left; returns each task it ran or finished, in that order.
    public func runDue() throws -> [TaskID] {
        // T4: a runner that may not change the workspace (another keyring) says so before it looks for work.
        try store.write { _ in }
        var ran = try recover()
        while true {
            let queued = try store.read { try $0.queuedTasks(at: time.now()) }
            let claimed = try queued.filter { try run($0) != nil }
            ran += claimed.filter { !ran.contains($0) }
            if claimed.isEmpty { return ran }
        }
    }

    /// Whether `runDue` has anything to do now: a queued task, or one whose
    /// runner is gone. A read, cheap enough for a console's every tick.
    public func hasWork() throws -> Bool {
        let now = time.now()
        return try store.read { db in
            if try !db.queuedTasks(at: now).isEmpty { return true }
            return try db.tasksInFlight().contains { id in
                try db.taskState(id).map { !isHeldByOther($0.lease, at: now) } ?? false
            }
        }
    }

    /// Claims a queued task and runs it; nil when it is not queued or another
    /// process has it (D14).
    @discardableResult
    public func run(_ id: TaskID) throws -> DeploymentTask? {
        let now = time.now()
        // T2: nil from claimTaskState is a task another runner is claiming this moment: not ours to run.
        let claimed = try store.claim { db -> Bool in
            guard let state = try db.claimTaskState(id), state.isQueued(at: now), !isHeldByOther(state.lease, at: now) else { return false }
            try db.setStatus(id, .running, finishedAt: nil)
            try db.setLease(id, lease(at: now))
            try chargeQuota(for: id, in: db)
            return true
        }
        guard claimed else { return nil }
        do {
            try runPairs(of: id)
            return try finish(id)
        } catch let lost as DatabaseUnreachable {
            // T6: the task was claimed and may have reached a provider: recovery finishes it.
            throw lost.afterWork()
        }
    }

    /// Runs the task here, or waits for the process that took it first.
    func runOrAwait(_ id: TaskID) throws -> DeploymentTask {
        if let task = try run(id) { return task }
        while true {
            let task = try task(id)
            if task.status.isFinished { return task }
            if task.status == .running, try store.read({ try $0.taskState(id) }).map({ !isHeldByOther($0.lease, at: time.now()) }) == true {
                try recover()
            } else if task.status != .running {
                if let ran = try run(id) { return ran }
            }
            Thread.sleep(forTimeInterval: pollInterval)
        }
    }

    // MARK: Claims

    func lease(at now: Date) -> TaskLease {
        TaskLease(runner: processID, host: host, until: now.addingTimeInterval(Self.leaseDuration))
    }

    func isMine(_ lease: TaskLease?) -> Bool { lease?.runner == processID && lease?.host == host }

    /// Whether another runner holds the claim: its time has not passed, and
    /// (on this host) its process is there (T2).
    func isHeldByOther(_ lease: TaskLease?, at now: Date) -> Bool {
        guard let lease, !isMine(lease) else { return false }
        return TaskLease.mayStillRun(runner: lease.runner, host: lease.host, until: lease.until, now: now, localHost: host, isAlive: isAlive)
    }

    /// The heartbeat: renews this process's claim; false when another process took the task over.
    func renewClaim(on id: TaskID, in db: any StoreWriter) throws -> Bool {
        guard isMine(try db.taskState(id)?.lease) else { return false }
        try db.setLease(id, lease(at: time.now()))
        return true
    }

    /// Thrown when a runner finds that its claim was taken over: it stops at once.
    struct ClaimLost: Error {}

    // MARK: Running pairs

    /// D10: quota is taken when the task runs, for each chargeable pair not yet charged.
    private func chargeQuota(for id: TaskID, in db: any StoreWriter) throws {
        guard let task = try db.task(id) else { return }
        let certificates = Dictionary(uniqueKeysWithValues: try db.certificates(task.certificateIDs, pems: false).map { ($0.id, $0) })
        var remaining = try Self.quota(in: db)
        for var pair in task.pairs where pair.status == .pending && !pair.charged {
            guard certificates[pair.certificateID].map(DeploymentRules.isCharged) == true, DeploymentRules.chargesQuota(pair.service, account: pair.account) else { continue }
            if remaining > 0 {
                remaining -= 1
                pair.charged = true
            } else {
                pair.status = .failed
                pair.cause = "deployment quota exhausted"
            }
            try db.update(pair, at: time.now())
        }
        try db.setValue(String(remaining), forKey: Self.quotaKey)
    }

    /// Each pending pair on its own (D17): intent committed, provider called
    /// with no transaction open, result committed (R3).
    /// Deploys the pending pairs in runs: the intents of a run in one commit,
    /// then each provider call with no transaction open, then the run's
    /// results in one commit (R3 holds for every pair). A run grows while the
    /// provider answers fast (a sandbox without latency: 100,000 pairs in a
    /// few hundred commits) and shrinks to one pair when it is slow, so that
    /// a console watching a real cloud sees each resource as it finishes.
    func runPairs(of id: TaskID) throws {
        let all = try store.read { try $0.task(id)?.pairs.filter { $0.status == .pending } } ?? []
        // A cloud with deployment jobs (CAS, A4) takes each account's pairs as one job.
        var jobs: [String: [TaskPair]] = [:], pending: [TaskPair] = []
        for pair in all {
            if (try? drivers.deployer(pair.account).deploysInJobs) == true {
                jobs[pair.account, default: []].append(pair)
            } else {
                pending.append(pair)
            }
        }
        for (account, pairs) in jobs.sorted(by: { $0.key < $1.key }) {
            try deploy(pairs[...], of: id, asJobOf: account)
        }
        // S11: a servers account's hosts at once, each host's sites in order, each pair its own run.
        let inLanesByAccount = Set(Set(pending.map(\.account)).filter { ((try? drivers.deployer($0).parallel) ?? 1) > 1 })
        let laned = inLanesByAccount.isEmpty ? [] : pending.filter { inLanesByAccount.contains($0.account) }
        if !laned.isEmpty {
            let lanedIDs = Set(laned.map(\.id))
            pending.removeAll { lanedIDs.contains($0.id) }
            // S11: canary hosts first; one of their pairs failing stops the task there.
            let canaries = canaryLanes(of: laned)
            if !canaries.isEmpty {
                let first = laned.filter { canaries.contains(laneKey($0)) }
                do {
                    _ = try inLanes(first) { pair in
                        if try deploy([pair][...], of: id, asJobOf: nil) { throw CanaryFailed(host: pair.region ?? pair.account) }
                    }
                } catch let failed as CanaryFailed {
                    try skipPending(of: id, because: "not started: canary \(failed.host) failed")
                    return
                }
            }
            _ = try inLanes(laned.filter { !canaries.contains(laneKey($0)) }) { pair in _ = try deploy([pair][...], of: id, asJobOf: nil) }
        }
        var start = 0, runLength = 1
        let clock = ContinuousClock()
        while start < pending.count {
            // A resource appears once in a run: a second pair on it must see what the first one left.
            var end = start, resources = Set<ResourceID>()
            while end < pending.count, end - start < runLength, resources.insert(pending[end].resourceID).inserted { end += 1 }
            let run = pending[start..<end]
            start = end
            let began = clock.now
            try deploy(run, of: id, asJobOf: nil)
            runLength = clock.now - began < Self.quickRun ? min(runLength * 2, Self.longestRun) : max(1, runLength / 2)
        }
    }

    /// One run: its intents in one commit, the provider called with no
    /// transaction open (pair by pair, or as one job of `account`), its
    /// results in one commit (R3).
    /// Whether a pair of the run failed, at its intent or at the provider.
    @discardableResult
    private func deploy(_ run: ArraySlice<TaskPair>, of id: TaskID, asJobOf account: String?) throws -> Bool {
        let started: [(pair: TaskPair, resource: CloudResource, material: CertificateMaterial)] = try store.write { db in
            guard try renewClaim(on: id, in: db) else { throw ClaimLost() }
            // The run's certificates, read once: a certificate serves many pairs.
            let resources = Dictionary(try db.resources(run.map(\.resourceID)).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let wanted = Set(run.map(\.certificateID) + resources.values.compactMap(\.certificateID))
            let certificates = Dictionary(try db.certificates(Array(wanted)).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let started = try run.compactMap { try intent(for: $0, resource: resources[$0.resourceID], certificates: certificates, in: db) }
            let materials = try Self.materials(Set(started.map(\.pair.certificateID)), certificates, in: db)
            return started.compactMap { pair, resource in materials[pair.certificateID].map { (pair, resource, $0) } }
        }
        let results: [(TaskPair, String?)]
        if let account, !started.isEmpty {
            let errors: [Error?]
            do {
                errors = try drivers.deployer(account).deploy(started.map { ($0.material, $0.resource) })
            } catch {
                // The job could not be made (keys refused, the cloud unreachable): every pair of it fails with that sentence.
                errors = started.map { _ in error }
            }
            results = zip(started, errors).map { started, error in
                (started.pair, error.flatMap { settle($0, on: started.pair.resourceID, expecting: started.pair.certificateID,
                                                      insteadOf: started.pair.previousCertificateID) })
            }
        } else {
            results = started.map { pair, resource, material in
                (pair, call(on: pair.resourceID, expecting: pair.certificateID, insteadOf: pair.previousCertificateID) {
                    try drivers.deployer(resource.account).bind(material, to: resource)
                })
            }
        }
        try store.write { db in
            _ = try renewClaim(on: id, in: db)
            for (pair, cause) in results {
                if let cause { try fail(pair, cause: cause, in: db) } else { try markSucceeded(pair, in: db) }
            }
        }
        return started.count < run.count || results.contains { $0.1 != nil }
    }

    /// A run of pairs that took less than this may double, up to `longestRun`.
    static let quickRun = Duration.milliseconds(50)
    static let longestRun = 256

    /// Records that `pair` is about to be deployed (its intent), or fails it
    /// when the resource or certificate is gone or a rule refuses it now.
    private func intent(for pair: TaskPair, resource: CloudResource?, certificates: [CertificateID: Certificate],
                        in db: any StoreWriter) throws -> (pair: TaskPair, resource: CloudResource)? {
        guard let resource, let certificate = certificates[pair.certificateID] else {
            try fail(pair, cause: "the resource or certificate no longer exists", in: db)
            return nil
        }
        let old = resource.certificateID.flatMap { certificates[$0] }
        if let cause = DeploymentRules.failure(deploying: certificate, to: resource, replacing: old) {
            try fail(pair, cause: cause, in: db)
            return nil
        }
        var deploying = pair
        deploying.status = .deploying
        deploying.previousCertificateID = resource.certificateID
        try db.update(deploying, at: time.now())
        return (deploying, resource)
    }

    /// What the provider says the resource holds now. Unlike `try?`, a
    /// failure to answer is never mistaken for "no certificate".
    func truth(on id: ResourceID) throws -> CertificateID? {
        guard let resource = try store.read({ try $0.resource(id) }) else { return nil }
        guard let served = try drivers.deployer(resource.account).served(on: resource) else { return nil }
        return try store.read { try $0.certificate(fingerprint: served)?.id }
    }

    /// What a driver is handed for each certificate: the certificate, its chain and its key, read once.
    static func materials(_ ids: Set<CertificateID>, _ known: [CertificateID: Certificate] = [:],
                          in db: any StoreReader) throws -> [CertificateID: CertificateMaterial] {
        var materials: [CertificateID: CertificateMaterial] = [:]
        for id in ids {
            guard let certificate = try known[id] ?? db.certificate(id) else { continue }
            materials[id] = CertificateMaterial(certificate: certificate, privateKeyPEM: try db.privateKeyPEM(of: id))
        }
        return materials
    }

    /// Calls the provider to put `expecting` on the resource in place of
    /// `insteadOf`; nil when that worked, else the cause in one sentence.
    /// After a failure the provider is asked what the resource holds (a
    /// time-out may hide a write that happened): a write is never assumed,
    /// nor repeated blind (R3, R4).
    func call(on resource: ResourceID, expecting: CertificateID?, insteadOf: CertificateID?, _ action: () throws -> Void) -> String? {
        do {
            try action()
            return nil
        } catch {
            return settle(error, on: resource, expecting: expecting, insteadOf: insteadOf)
        }
    }

    /// The cause of a failed call, unless the provider shows that what it was asked for happened anyway.
    func settle(_ error: Error, on resource: ResourceID, expecting: CertificateID?, insteadOf: CertificateID?) -> String? {
        let cause = (error as? ProviderFailure)?.cause ?? (error as? CertpushError)?.sentence ?? "\(error)"
        let applied = expecting != insteadOf && (try? truth(on: resource) == expecting) == true
        return applied ? nil : cause
    }

    /// A deployed pair: succeeded, and the inventory shows its certificate.
    private func markSucceeded(_ pair: TaskPair, in db: any StoreWriter) throws {
        var pair = pair
        pair.status = .succeeded
        pair.cause = ""
        try db.update(pair, at: time.now())
        try recordHeld(pair.certificateID, on: pair, in: db)
    }

    /// What a resource holds now, and (S8) every site that loads the same certificate file: the file changed for all.
    private func recordHeld(_ certificate: CertificateID?, on pair: TaskPair, in db: any StoreWriter) throws {
        try db.setCertificate(certificate, on: pair.resourceID)
        guard CloudService.named(pair.service)?.onServers == true else { return }
        for sibling in try db.sitesSharingFile(with: [pair.resourceID])[pair.resourceID] ?? [] { try db.setCertificate(certificate, on: sibling.id) }
    }

    /// A rolled-back pair: the inventory shows what the resource had before the task.
    func markRolledBack(_ pair: TaskPair, in db: any StoreWriter) throws {
        var pair = pair
        pair.status = .rolledBack
        pair.cause = ""
        try db.update(pair, at: time.now())
        try recordHeld(pair.previousCertificateID, on: pair, in: db)
    }

    /// Fails a pair with its cause and refunds its quota (D10).
    func fail(_ pair: TaskPair, cause: String, in db: any StoreWriter) throws {
        var failed = pair
        failed.status = .failed
        failed.cause = cause
        if failed.charged {
            failed.charged = false
            try db.setValue(String(try Self.quota(in: db) + 1), forKey: Self.quotaKey)
        }
        try db.update(failed, at: time.now())
    }

    /// Sets the task's end status, releases the claim, writes the outbox, then delivers.
    func finish(_ id: TaskID) throws -> DeploymentTask {
        let now = time.now()
        let notifications: [TaskNotification] = try store.write { db in
            guard let task = try db.task(id), try renewClaim(on: id, in: db) else { return [] }
            let succeeded = task.count(.succeeded), failed = task.count(.failed) + task.count(.skipped)
            let status: TaskStatus = failed == 0 ? .succeeded : (succeeded == 0 ? .failed : .partiallyFailed)
            try db.setStatus(id, status, finishedAt: now)
            try db.setLease(id, nil)
            var message = "Deployment task \(id) \"\(task.name)\" ended \(status.words): \(succeeded) succeeded, \(failed) failed of \(task.pairs.count)."
            if let first = task.pairs.first(where: { $0.status == .failed }) {
                // What failed, in the provider's words: the Activity and the mail say why, not only that.
                let cause = first.cause.split(separator: "\n").first.map(String.init) ?? "no cause given"
                message += " \(first.resourceID) \(first.resourceName): \(cause.count > 300 ? cause.prefix(299) + "…" : cause)"
                    + (failed > 1 ? " (and \(failed - 1) more)." : "")
            }
            try db.append(ActivityEntry(at: now, user: user, action: "task.finish", subject: id.description, detail: message))
            let addresses = Dictionary(try db.contacts().map { ($0.name, $0.email) }, uniquingKeysWith: { first, _ in first })
            return try task.contacts.map { contact in
                var notification = TaskNotification(taskID: id, contact: contact, at: now, message: message)
                notification.id = try db.append(notification)
                notification.email = addresses[contact] ?? ""
                notification.taskStatus = status.rawValue
                return notification
            }
        }
        // Outside any transaction: a slow or failing command holds nothing up but itself.
        for notification in notifications {
            if let failure = deliver(notification) {
                try store.write { try $0.setDeliveryFailure(failure, onNotification: notification.id) }
            }
        }
        return try task(id)
    }

    // MARK: Recovery

    /// Tasks whose runner is gone (its claim expired, or its process died)
    /// with work in flight: each action left at intent is settled by asking
    /// the provider (R3), never repeated blind; a task that was running then
    /// runs its remaining pairs and finishes. Quota stays exact: a deploying
    /// pair that did not happen is refunded.
    @discardableResult
    public func recover() throws -> [TaskID] {
        var recovered: [TaskID] = []
        for id in try store.read({ try $0.tasksInFlight() }) {
            let now = time.now()
            let adopted: (state: TaskState, open: [TaskPair])? = try store.write { db in
                guard let state = try db.taskState(id), !isHeldByOther(state.lease, at: now), let task = try db.task(id) else { return nil }
                // Still in flight: another runner may have finished it since the list was read.
                let open = task.pairs.filter { $0.status == .deploying || $0.status == .rollingBack }
                guard state.status == .running || !open.isEmpty else { return nil }
                try db.setLease(id, lease(at: now))
                return (state, open)
            }
            guard let adopted else { continue }
            // Each site left in flight is asked (a servers account's hosts at once).
            let settled = try inLanes(adopted.open) { pair -> Bool in
                do {
                    let truth = try truth(on: pair.resourceID)
                    try store.write { db in try settleInterrupted(pair, truth: truth, in: db) }
                    return true
                } catch {
                    return false
                }
            }
            guard settled.allSatisfy({ $0 }) else {
                // The provider could not say: leave the claim to lapse so a later recovery asks again.
                try store.write { try $0.setLease(id, nil) }
                continue
            }
            if adopted.state.status == .running {
                try runPairs(of: id)
                _ = try finish(id)
            } else {
                try store.write { db in
                    try settleRollbackStatus(of: id, in: db)
                    try db.setLease(id, nil)
                }
            }
            recovered.append(id)
        }
        return recovered
    }

    /// One action a dead runner left at intent, settled by what the provider holds now.
    private func settleInterrupted(_ pair: TaskPair, truth: CertificateID?, in db: any StoreWriter) throws {
        var pair = pair
        switch pair.status {
        case .deploying:
            if truth == pair.certificateID {
                try markSucceeded(pair, in: db)
            } else {
                try fail(pair, cause: "interrupted", in: db)
            }
        case .rollingBack:
            if truth == pair.previousCertificateID && truth != pair.certificateID {
                try markRolledBack(pair, in: db)
            } else {
                pair.status = .succeeded
                pair.cause = "the roll back was interrupted; roll it back again"
                try db.update(pair, at: time.now())
            }
        default:
            break
        }
    }

    /// D11: a finished task becomes rolled back once none of its resources is still succeeded.
    func settleRollbackStatus(of id: TaskID, in db: any StoreWriter) throws {
        guard let task = try db.task(id), task.status.isFinished, task.count(.succeeded) == 0, task.count(.rolledBack) > 0 else { return }
        try db.setStatus(id, .rolledBack, finishedAt: time.now())
    }
}
