import CertpushCore
import CertpushPostgres
import CertpushSandbox
import CertpushSetup
import CertpushTestSupport
import PostgresNIO
import Foundation
import Testing

/// SPEC 17 on a real PostgreSQL cluster: what several bastions sharing one workspace see.
@Suite struct TeamTests {
    /// Waits up to `limit` seconds for `condition`; whether it came true.
    static func within(_ limit: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try condition()
    }

    @Test("T3: a change one bastion commits is heard by another's store within a second; reads and empty writes tell nobody")
    func changesHeard() throws {
        let url = try Backend.postgresql.newLocation(in: TemporaryDirectory())
        let mine = try PostgresStore(try PostgresLocation(url: url), vault: testVault)
        let theirs = try openTestStore(at: url)
        try mine.listenForChanges()
        _ = try theirs.read { try $0.certificateCount() }
        try theirs.write { _ in }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(mine.changesHeard == 0)
        try theirs.write { try $0.setValue("1", forKey: "team.test") }
        #expect(Self.within(1) { mine.changesHeard == 1 })
        // A transaction that fails tells nobody either: nothing was committed.
        struct Boom: Error {}
        #expect(throws: Boom.self) { try theirs.write { db in try db.setValue("2", forKey: "team.test"); throw Boom() } }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(mine.changesHeard == 1)
    }

    /// The sandbox's deployer, which stops PostgreSQL right after its first bind took effect.
    final class StoppingDeployer: Deployer, @unchecked Sendable {
        let inner: SandboxProvider
        let cluster: PostgresFixture
        var binds: [ResourceID] = []
        init(_ inner: SandboxProvider, cluster: PostgresFixture) {
            self.inner = inner
            self.cluster = cluster
        }
        func bind(_ material: CertificateMaterial, to resource: CloudResource) throws {
            try inner.bind(material, to: resource)
            binds.append(resource.id)
            if binds.count == 1 { cluster.stop() }
        }
        func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws { try inner.rollBack(resource, to: previous) }
        func served(on resource: CloudResource) throws -> String? { try inner.served(on: resource) }
    }

    @Test("T6: PostgreSQL stops while a provider deploys: run-due fails with one sentence (exit 1: work ran); once it answers, recovery finishes the task with no second deployment")
    func stoppedDuringTask() throws {
        let cluster = try PostgresFixture()
        defer { cluster.stop() }
        let directory = TemporaryDirectory()
        let time = ManualTime(testNow)
        let workspace = try Workspace.open(path: cluster.url, kind: .training, keyring: directory.path("keyring"), time: time, user: "u")
        let provider = StoppingDeployer(SandboxProvider(store: workspace.store), cluster: cluster)
        let deployments = DeploymentService(store: workspace.store, drivers: .only(AccountActions(deployer: provider)), time: time, user: "u",
                                            processID: getpid(), isAlive: { _ in true })
        let certificate = try #require(try workspace.certificates.list(CertificateQuery()).first { $0.name == "wildcard-example" })
        let task = try deployments.create(TaskRequest(name: "t", certificates: [certificate.id], match: true), runNow: false)
        #expect(task.pairs.count >= 2)

        var lost: DatabaseUnreachable?
        do { _ = try deployments.runDue() } catch let error as DatabaseUnreachable { lost = error }
        let error = try #require(lost)
        #expect(error.outcome == .failed)
        #expect(error.sentence.contains("while work was under way") && error.sentence.contains("recovery"), "\(error.sentence)")

        // While it is down, a read says so in one sentence, nothing changed.
        #expect(throws: DatabaseUnreachable.self) { try workspace.store.read { try $0.certificateCount() } }

        try cluster.startAgain()
        #expect(try deployments.runDue() == [task.id])
        let finished = try deployments.task(task.id)
        // Every pair ended as the provider made it: succeeded, but for the sandbox's listener planned to be in maintenance.
        let ended = finished.pairs.map { "\($0.resourceName) \($0.status)" }
        #expect(finished.pairs.allSatisfy { $0.status == .succeeded || $0.cause == "listener in maintenance" }, "\(ended)")
        #expect(finished.pairs.filter { $0.status == .failed }.count == 1, "\(ended)")
        // Every resource was bound once: the one whose bind the stop interrupted was settled by asking the provider.
        #expect(provider.binds.count == finished.pairs.filter { $0.status == .succeeded }.count)
        #expect(Set(provider.binds).count == provider.binds.count)
    }

    @Test("T1: a workspace a newer certpush migrated is refused, left as it was; one up to date opens without taking the migrators' lock")
    func newerSchemaRefused() throws {
        let url = try Backend.postgresql.newLocation(in: TemporaryDirectory())
        _ = try PostgresStore(try PostgresLocation(url: url), vault: testVault)
        let link = try PostgresLink(try PostgresLocation(url: url))
        // Another session holds the migrators' lock: an up-to-date workspace opens all the same.
        let holder = try PostgresLink(try PostgresLocation(url: url))
        try holder.execute("BEGIN")
        try holder.execute("SELECT pg_advisory_xact_lock(7411)")
        _ = try PostgresStore(try PostgresLocation(url: url), vault: testVault)
        try holder.execute("ROLLBACK")
        try link.execute("INSERT INTO certpush_migration (identifier) VALUES ('v99-from-the-future')")
        #expect {
            _ = try PostgresStore(try PostgresLocation(url: url), vault: testVault)
        } throws: { error in
            (error as? Refusal)?.sentence.contains("a newer certpush wrote; upgrade certpush") == true
        }
        #expect(try link.execute("SELECT count(*) FROM certpush_migration").first?.decode(Int64.self) == 18)
    }

    @Test("T2: a claim skips a task another runner is claiming (FOR UPDATE SKIP LOCKED), and waits for no other writer", .timeLimit(.minutes(1)))
    func claimsSkipLocked() throws {
        let fixture = try SandboxFixture(backend: .postgresql)
        let deployments = fixture.workspace.deployments
        let certificate = try fixture.certificateID(named: "partner-shared")
        let first = try deployments.create(TaskRequest(name: "first", certificates: [certificate], match: true), runNow: false)
        let second = try deployments.create(TaskRequest(name: "second", certificates: [certificate], match: true), runNow: false)
        let other = try PostgresLink(try PostgresLocation(url: fixture.databasePath))
        // Another runner is in the middle of claiming the first task: its row is locked.
        try other.execute("BEGIN")
        try other.execute("SELECT id FROM task WHERE id = \(first.id.rawValue) FOR UPDATE")
        let started = Date()
        #expect(try deployments.run(first.id) == nil)
        #expect(Date().timeIntervalSince(started) < 2, "the claim waited for the other runner")
        try other.execute("ROLLBACK")
        // An import (any write) holds the team's write lock: a claim goes on all the same.
        try other.execute("BEGIN")
        try other.execute("SELECT pg_advisory_xact_lock(7412)")
        let state = try fixture.workspace.store.claim { db in try db.claimTaskState(second.id) }
        #expect(state?.status == .pending)
        try other.execute("ROLLBACK")
        // Neither is lost: both run once their turn comes.
        #expect(try deployments.runDue().sorted() == [first.id, second.id])
    }
}
