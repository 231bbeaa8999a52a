import CertpushCore
import CertpushSandbox
import CertpushSetup
import CertpushTestSupport
import Foundation
import Testing

/// SPEC R3 and D14: provider calls outside transactions, intents settled by
/// the provider's answer, one queue, claims that expire.
@Suite struct EngineTests {
    /// Each test runs once on each backend (T7), its fixture made on the one it is given.
    let on = FixtureOn()
    var fixture: SandboxFixture { on.fixture }

    var store: any Store { fixture.workspace.store }
    func id(_ name: String) throws -> CertificateID { try fixture.certificateID(named: name) }
    func resource(_ service: String, _ name: String) throws -> CloudResource { try fixture.resource(service, name) }

    func service(provider: some Deployer, processID: Int32 = getpid(), isAlive: @escaping @Sendable (Int32) -> Bool = { _ in true })
        -> DeploymentService {
        DeploymentService(store: store, drivers: .only(AccountActions(deployer: provider)), time: fixture.time, user: "u",
                          processID: processID, isAlive: isAlive)
    }

    /// Wraps the sandbox and, at every call, notes whether another connection
    /// could take the write lock at once, and what the database said of the action.
    final class WatchingProvider: Pusher, Deployer, @unchecked Sendable {
        let inner: SandboxProvider
        let path: String
        var writableDuringCalls: [Bool] = []
        var pairStatusesDuringCalls: [[PairStatus]] = []
        /// At each bind: the statuses of the pairs on the resource being bound.
        var boundPairStatuses: [[PairStatus]] = []
        var failOn: Set<ResourceID> = []
        var truthFails = false
        init(_ inner: SandboxProvider, path: String) {
            self.inner = inner
            self.path = path
        }

        var drivers: Drivers { .only(AccountActions(pusher: self, deployer: self)) }

        private func observe() {
            let writable = writeLockIsFree(at: path)
            writableDuringCalls.append(writable)
            let statuses = (try? inner.store.read { try $0.tasks().flatMap { $0.pairs.map(\.status) } }) ?? []
            pairStatusesDuringCalls.append(statuses)
        }

        func push(_ material: CertificateMaterial, service: CloudService, regions: [String?]) throws -> [Error?] {
            observe()
            return try inner.push(material, service: service, regions: regions)
        }
        func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool? {
            try inner.holds(certificate, service: service, region: region)
        }
        func regions() throws -> [RegionSummary] { try inner.regions() }
        /// A bind or a roll back: watched alike.
        private func watch(_ resource: CloudResource) throws {
            observe()
            boundPairStatuses.append((try? inner.store.read {
                try $0.tasks().flatMap { $0.pairs.filter { $0.resourceID == resource.id }.map(\.status) }
            }) ?? [])
            if failOn.contains(resource.id) { throw ProviderFailure("listener locked by another operation") }
        }
        func bind(_ material: CertificateMaterial, to resource: CloudResource) throws {
            try watch(resource)
            try inner.bind(material, to: resource)
        }
        func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws {
            try watch(resource)
            try inner.rollBack(resource, to: previous)
        }
        func served(on resource: CloudResource) throws -> String? {
            if truthFails { throw ProviderFailure("the provider did not answer") }
            return try inner.served(on: resource)
        }
    }

    func watching() -> WatchingProvider {
        WatchingProvider(SandboxProvider(store: store), path: fixture.databasePath)
    }

    /// A deployer that works in lanes (S11): each call takes a while, and the
    /// calls under way are watched, by lane (a pair's region).
    final class LaneProvider: Deployer, @unchecked Sendable {
        let inner: SandboxProvider
        let parallel: Int
        var lanes: [String] = []
        var canary = 0
        var failOn: Set<ResourceID> = []
        private let lock = NSLock()
        private var running: [String] = []
        private(set) var mostAtOnce = 0
        private(set) var laneOverlaps = 0
        init(_ inner: SandboxProvider, parallel: Int) {
            self.inner = inner
            self.parallel = parallel
        }
        private func during(_ resource: CloudResource, _ body: () throws -> Void) throws {
            let lane = resource.region ?? "global"
            lock.withLock {
                if running.contains(lane) { laneOverlaps += 1 }
                running.append(lane)
                mostAtOnce = max(mostAtOnce, running.count)
            }
            defer { lock.withLock { running.remove(at: running.firstIndex(of: lane)!) } }
            Thread.sleep(forTimeInterval: 0.05)
            if failOn.contains(resource.id) { throw ProviderFailure("nginx -t refused it") }
            try body()
        }
        func bind(_ material: CertificateMaterial, to resource: CloudResource) throws { try during(resource) { try inner.bind(material, to: resource) } }
        func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws {
            try during(resource) { try inner.rollBack(resource, to: previous) }
        }
        func served(on resource: CloudResource) throws -> String? { try inner.served(on: resource) }
    }

    @Test("S11: an account that works in lanes runs its lanes at once, up to its parallel, each lane's pairs one after another; roll back too", arguments: Backend.all)
    func lanesAtOnce(_ backend: Backend) throws {
        try on.start(backend)
        let provider = LaneProvider(SandboxProvider(store: store), parallel: 3)
        let deployments = service(provider: provider)
        let task = try deployments.create(TaskRequest(name: "fleet", certificates: [id("wildcard-example")], match: true))
        let lanes = Set(task.pairs.map { $0.region ?? "global" })
        #expect(lanes.count > 3 && task.pairs.count > lanes.count, "several lanes, some with several pairs")
        // Lanes overlap, never past the account's parallel (exactly 3 needs three threads to start within 50 ms: not asked of a busy machine).
        #expect((2...3).contains(provider.mostAtOnce), "\(provider.mostAtOnce) calls at once")
        #expect(provider.laneOverlaps == 0, "one lane's pairs never overlap")
        #expect(task.status == .partiallyFailed && task.count(.failed) == 1, "the faulty listener fails alone")
        let outcomes = try deployments.rollBack(task.id)
        #expect(outcomes.map(\.resource) == task.pairs.filter { $0.status == .succeeded }.map(\.resourceID), "outcomes in the task's order")
        #expect(outcomes.allSatisfy { $0.failure == nil })
        #expect(provider.laneOverlaps == 0)
        #expect(try deployments.task(task.id).status == .rolledBack)
    }

    @Test("S11: task details' progress per host: done of all, and what failed, in the order the task met the hosts", arguments: Backend.all)
    func progressPerHost(_ backend: Backend) throws {
        try on.start(backend)
        let provider = LaneProvider(SandboxProvider(store: store), parallel: 2)
        let deployments = service(provider: provider)
        let wildcard = try id("wildcard-example")
        let a = try fixture.addResource("nginx", region: "web1", name: "a", domain: "a.example.com", certificate: wildcard)
        let b = try fixture.addResource("nginx", region: "web1", name: "b", domain: "b.example.com", certificate: wildcard)
        let c = try fixture.addResource("nginx", region: "web2", name: "c", domain: "c.example.com", certificate: wildcard)
        provider.failOn = [c.id]
        let task = try deployments.create(TaskRequest(name: "hosts", certificates: [wildcard], resources: [a.id, b.id, c.id]))
        #expect(try deployments.hostProgress(of: task.id, service: "nginx") == "web1 2/2 · web2 1/1, 1 failed")
        #expect(try deployments.hostProgress(of: task.id, service: "elb") == nil, "clouds have regions, not hosts")
    }

    @Test("S11: a canary host that fails stops the task: every pair not started is skipped with why, the task failed; a retry takes the skipped ones", arguments: Backend.all)
    func canaryStops(_ backend: Backend) throws {
        try on.start(backend)
        let provider = LaneProvider(SandboxProvider(store: store), parallel: 3)
        // The faulty listener's region goes first, as the account's first host would.
        provider.lanes = ["ap-southeast-1", "cn-north-4", "cn-east-3"]
        provider.canary = 1
        let deployments = service(provider: provider)
        let task = try deployments.create(TaskRequest(name: "canary", certificates: [id("wildcard-example")], match: true))
        let faulty = try #require(task.pairs.first { $0.region == "ap-southeast-1" })
        #expect(faulty.status == .failed)
        let others = task.pairs.filter { $0.id != faulty.id }
        #expect(!others.isEmpty && others.allSatisfy { $0.status == .skipped && $0.cause == "not started: canary ap-southeast-1 failed" },
                "\(others.map { "\($0.resourceID) \($0.status) \($0.cause)" })")
        #expect(task.status == .failed)
        try fixture.workspace.store.write { db in try db.setFault(nil, on: faulty.resourceID) }
        let retried = try deployments.retry(task.id)
        #expect(retried.status == .succeeded, "\(retried.pairs.map { "\($0.resourceID) \($0.status) \($0.cause)" })")
    }

    @Test("R3: every push, deploy and roll back calls the provider with no transaction open, after its intent committed", arguments: Backend.all)
    func callsOutsideTransactions(_ backend: Backend) throws {
        try on.start(backend)
        let provider = watching()
        let push = PushService(store: store, drivers: provider.drivers, time: fixture.time, user: "u")
        _ = try push.push(PushRequest(certificate: id("wildcard-example"), services: ["cdn", "waf"], regions: ["cn-north-4", "cn-east-3"]))
        let deployments = service(provider: provider)
        let task = try deployments.create(TaskRequest(name: "w", certificates: [id("wildcard-example")], match: true))
        _ = try deployments.rollBack(task.id)
        #expect(provider.writableDuringCalls.count > 10)
        #expect(provider.writableDuringCalls.allSatisfy { $0 })
        // While a bind runs, the resource's pair is recorded as deploying or rolling back: its intent.
        #expect(provider.boundPairStatuses.count > 10)
        #expect(provider.boundPairStatuses.allSatisfy { statuses in statuses.filter { $0 == .deploying || $0 == .rollingBack }.count == 1 })
    }

    @Test("R3, D12: rolling back three resources where the third fails rolls the first two back and reports each", arguments: Backend.all)
    func rollbackEachOnItsOwn(_ backend: Backend) throws {
        try on.start(backend)
        let provider = watching()
        let deployments = service(provider: provider)
        let wildcard = try id("wildcard-example")
        let targets = try [resource("cdn", "static.example.com"), resource("dcdn", "dyn.example.com"), resource("elb", "listener-m-443")]
        let task = try deployments.create(TaskRequest(name: "three", certificates: [wildcard], resources: targets.map(\.id)))
        #expect(task.status == .succeeded)
        provider.failOn = [targets[2].id]
        let outcomes = try deployments.rollBack(task.id)
        #expect(outcomes.map { $0.failure == nil } == [true, true, false])
        #expect(outcomes[2].sentence == "\(targets[2].id) listener-m-443: not rolled back: listener locked by another operation.")
        let after = try deployments.task(task.id)
        #expect(after.pairs.map(\.status) == [.rolledBack, .rolledBack, .succeeded])
        #expect(after.status == .succeeded)
        let held = try store.read { db in try targets.map { try db.resource($0.id)?.certificateID } }
        #expect(held == [nil, nil, wildcard])
        // The failed one can be rolled back on its own later.
        provider.failOn = []
        #expect(try deployments.rollBack(task.id).map(\.failure) == [nil])
        #expect(try deployments.task(task.id).status == .rolledBack)
    }

    @Test("D12: a second roll back of the same resources is refused with a reason, and writes nothing", arguments: Backend.all)
    func secondRollbackRefused(_ backend: Backend) throws {
        try on.start(backend)
        let deployments = fixture.workspace.deployments
        let task = try deployments.create(TaskRequest(name: "w", certificates: [id("wildcard-example")], resources: [resource("cdn", "static.example.com").id]))
        _ = try deployments.rollBack(task.id)
        let activity = try fixture.certificates.activity(limit: 100).count
        #expect(throws: Refusal("\(task.id) has no succeeded resources to roll back.")) { try deployments.rollBack(task.id) }
        #expect(try fixture.certificates.activity(limit: 100).count == activity)
    }

    @Test("D12: a certificate a finished task may roll back to cannot be deleted", arguments: Backend.all)
    func deleteKeepsRollbackTarget(_ backend: Backend) throws {
        try on.start(backend)
        let deployments = fixture.workspace.deployments
        let old = try fixture.importCertificate(["x.example.com"]).id
        let listener = try fixture.addResource("cdn", name: "x.example.com", domain: "x.example.com", certificate: old)
        let task = try deployments.create(TaskRequest(name: "w", certificates: [id("wildcard-example")], resources: [listener.id]))
        #expect(task.status == .succeeded)
        #expect(throws: Refusal("\(old) is needed by deployment task \(task.id), to deploy it or to roll back to it; delete that task first.")) {
            try fixture.certificates.delete(old)
        }
        #expect(try deployments.rollBack(task.id).map(\.failure) == [nil])
        #expect(try store.read { try $0.resource(listener.id) }?.certificateID == old)
    }

    @Test("D14: a pending task is in the queue: run-due runs it, and a retried task too", arguments: Backend.all)
    func pendingTasksAreQueued(_ backend: Backend) throws {
        try on.start(backend)
        let deployments = fixture.workspace.deployments
        let task = try deployments.create(TaskRequest(name: "later", certificates: [id("partner-shared")], match: true), runNow: false)
        #expect(task.status == .pending)
        #expect(try deployments.hasWork())
        #expect(try deployments.runDue() == [task.id])
        #expect(try deployments.task(task.id).status == .succeeded)
        #expect(try !deployments.hasWork())
        let cert = try id("legacy-upload")
        let faulty = try fixture.addResource("mse", region: "cn-east-3", name: "gw-faulty", domain: "legacy.example.net", certificate: cert,
                                             fault: "gateway in maintenance")
        let failed = try deployments.create(TaskRequest(name: "f", certificates: [cert], resources: [faulty.id]))
        #expect(failed.status == .failed)
        #expect(try deployments.retry(failed.id, runNow: false).status == .pending)
        #expect(try deployments.runDue() == [failed.id])
    }

    @Test("D14: a claim whose time has passed is taken over, even when its process id is alive again (reused)", arguments: Backend.all)
    func expiredClaimTakenOver(_ backend: Backend) throws {
        try on.start(backend)
        let deployments = fixture.workspace.deployments
        let task = try deployments.create(TaskRequest(name: "orphan", certificates: [id("partner-shared")], match: true), runNow: false)
        try store.write { db in
            try db.setStatus(task.id, .running, finishedAt: nil)
            try db.setLease(task.id, TaskLease(runner: 1, until: testNow.addingTimeInterval(30)))
        }
        let everyoneAlive = service(provider: SandboxProvider(store: store))
        #expect(try everyoneAlive.recover().isEmpty)
        fixture.time.advance(by: 31)
        #expect(try everyoneAlive.recover() == [task.id])
        #expect(try everyoneAlive.task(task.id).status == .succeeded)
    }

    @Test("T2: a runner on another host is judged by its lease alone: not taken over while it holds, though its process id is ours or gone here; taken over when it lapses", arguments: Backend.all)
    func otherHostJudgedByLease(_ backend: Backend) throws {
        try on.start(backend)
        let deployments = fixture.workspace.deployments
        let task = try deployments.create(TaskRequest(name: "elsewhere", certificates: [id("partner-shared")], match: true), runNow: false)
        try store.write { db in
            try db.setStatus(task.id, .running, finishedAt: nil)
            try db.setLease(task.id, TaskLease(runner: getpid(), host: "bastion-b", until: testNow.addingTimeInterval(60)))
        }
        #expect(try store.read { try $0.taskState(task.id)?.lease?.host } == "bastion-b")
        // Here no process is alive under that id, and ours has the same number: neither says anything of bastion-b's.
        let here = service(provider: SandboxProvider(store: store), isAlive: { _ in false })
        #expect(try here.recover().isEmpty)
        #expect(try here.task(task.id).status == .running)
        fixture.time.advance(by: 61)
        #expect(try here.recover() == [task.id])
        #expect(try here.task(task.id).status == .succeeded)
        #expect(try store.read { try $0.taskState(task.id)?.lease } == nil)

        // A push target in flight on another host is its runner's until the lease time has passed.
        let cert = try id("wildcard-example")
        try store.write { db in
            var record = PushRecord(at: fixture.time.now(), user: "u", certificateID: cert, target: PushTarget(service: "waf", region: "cn-north-4"),
                                    succeeded: false, reason: "", runner: getpid())
            record.runnerHost = "bastion-b"
            _ = try db.append(record)
        }
        let pushes = PushService(store: store, drivers: .only(AccountActions(pusher: SandboxProvider(store: store))), time: fixture.time, user: "u",
                                 processID: getpid(), isAlive: { _ in false })
        #expect(try !pushes.hasWork())
        fixture.time.advance(by: DeploymentService.leaseDuration + 1)
        #expect(try pushes.hasWork())
    }

    @Test("R3: a pair left rolling back by a dead process is settled by what the provider holds", arguments: Backend.all)
    func rollingBackRecovered(_ backend: Backend) throws {
        try on.start(backend)
        let deployments = fixture.workspace.deployments
        let targets = try [resource("cdn", "static.example.com"), resource("dcdn", "dyn.example.com")]
        let wildcard = try id("wildcard-example")
        let task = try deployments.create(TaskRequest(name: "w", certificates: [wildcard], resources: targets.map(\.id)))
        // Process 4242 marked both rolling back, and had put the first one back when it died.
        try store.write { db in
            for var pair in try db.task(task.id)!.pairs {
                pair.status = .rollingBack
                try db.update(pair, at: Date())
            }
            try db.setCertificate(nil, on: targets[0].id)
            try db.setLease(task.id, TaskLease(runner: 4242, until: testNow.addingTimeInterval(60)))
        }
        let recoverer = service(provider: SandboxProvider(store: store), isAlive: { $0 != 4242 })
        #expect(try recoverer.hasWork())
        #expect(try recoverer.recover() == [task.id])
        let pairs = try recoverer.task(task.id).pairs
        #expect(pairs.map(\.status) == [.rolledBack, .succeeded])
        #expect(pairs[1].cause == "the roll back was interrupted; roll it back again")
        #expect(try !recoverer.hasWork())
    }

    @Test("R3: recovery never takes a provider that cannot answer for one that says 'no certificate'", arguments: Backend.all)
    func unansweredTruthLeavesIntent(_ backend: Backend) throws {
        try on.start(backend)
        let media = try fixture.addResource("cdn", name: "media.example.com", domain: "media.example.com")
        let deployments = fixture.workspace.deployments
        let task = try deployments.create(TaskRequest(name: "m", certificates: [id("media-upload")], resources: [media.id]), runNow: false)
        try store.write { db in
            try db.setStatus(task.id, .running, finishedAt: nil)
            try db.setLease(task.id, TaskLease(runner: 4242, until: testNow.addingTimeInterval(60)))
            var pair = try db.task(task.id)!.pairs[0]
            pair.status = .deploying
            try db.update(pair, at: Date())
        }
        let provider = watching()
        provider.truthFails = true
        let recoverer = service(provider: provider, isAlive: { $0 != 4242 })
        #expect(try recoverer.recover().isEmpty)
        #expect(try recoverer.task(task.id).pairs[0].status == .deploying)
        provider.truthFails = false
        #expect(try recoverer.recover() == [task.id])
        #expect(try recoverer.task(task.id).pairs[0].cause == "interrupted")
    }

    @Test("R3: a push target left in flight by a dead process is settled by asking the provider", arguments: Backend.all)
    func pushInFlightRecovered(_ backend: Backend) throws {
        try on.start(backend)
        let cert = try fixture.certificates.certificate(id("wildcard-example"))
        let provider = SandboxProvider(store: store)
        // Process 4242 recorded two targets in flight; the cloud got the first one before it died.
        try store.write { db in
            for region in ["cn-north-4", "cn-east-3"] {
                try db.append(PushRecord(at: testNow, user: "u", certificateID: cert.id, target: PushTarget(service: "waf", region: region),
                                         succeeded: false, reason: "", runner: 4242))
            }
        }
        try provider.push(cert, service: CloudService.named("waf")!, region: "cn-north-4")
        let push = PushService(store: store, drivers: provider.drivers, time: fixture.time, user: "u", processID: getpid(), isAlive: { $0 != 4242 })
        #expect(try push.recover().count == 2)
        let records = try push.records(for: cert.id)
        #expect(records.map(\.succeeded) == [false, true])
        #expect(records.map(\.reason) == ["interrupted", ""])
        #expect(records.allSatisfy { $0.runner == nil })
        #expect(try push.recover().isEmpty)
    }
}
