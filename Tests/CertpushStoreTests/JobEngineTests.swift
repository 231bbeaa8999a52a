import CertpushCore
import CertpushSandbox
import CertpushTestSupport
import Foundation
import Testing

/// A4 in the engine: an account whose cloud runs deployment jobs gets all its
/// pairs of a task in one call, after their intents are committed (R3); the
/// other accounts' pairs go one by one as before.
@Suite struct JobEngineTests {
    /// Each test runs once on each backend (T7), its fixture made on the one it is given.
    let on = FixtureOn()
    var fixture: SandboxFixture { on.fixture }
    var store: any Store { fixture.workspace.store }

    /// The sandbox for its own resources; for account "cas", one job per call, as CAS runs them.
    final class JobProvider: Deployer, @unchecked Sendable {
        let inner: SandboxProvider
        let path: String
        var jobs: [[ResourceID]] = []
        var writableDuringJobs: [Bool] = []
        var statusesDuringJobs: [[PairStatus]] = []
        var failing: Set<ResourceID> = []
        var jobFails: Error?
        init(_ inner: SandboxProvider, path: String) {
            self.inner = inner
            self.path = path
        }
        /// The sandbox's pairs go one by one to the sandbox; account "cas" has this driver, with jobs.
        var drivers: Drivers { Drivers(["sandbox": inner.actions, "cas": AccountActions(deployer: self)]) }
        var deploysInJobs: Bool { true }
        func bind(_ material: CertificateMaterial, to resource: CloudResource) throws {
            preconditionFailure("a CAS pair went one by one")
        }
        func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws {}
        func served(on resource: CloudResource) throws -> String? { nil }
        func deploy(_ pairs: [(material: CertificateMaterial, resource: CloudResource)]) throws -> [Error?] {
            writableDuringJobs.append(writeLockIsFree(at: path))
            statusesDuringJobs.append((try? inner.store.read { try $0.tasks().flatMap { $0.pairs.filter { $0.service == "cdn" }.map(\.status) } }) ?? [])
            jobs.append(pairs.map(\.resource.id))
            if let jobFails { throw jobFails }
            return pairs.map { failing.contains($0.resource.id) ? ProviderFailure("DeployFailed: the listener rejected the certificate") : nil }
        }
    }

    func casResources() throws -> [ResourceID] {
        try store.write { db in
            try ["www.example.com", "static.example.com"].map { domain in
                try db.insertResource(CloudResource(id: ResourceID(0), service: "cdn", region: nil, name: domain, domain: domain,
                                                    certificateID: nil, account: "cas"))
            }
        }
    }

    @Test("an account with jobs gets its pairs in one call with their intents committed; each worker's outcome is its pair's", arguments: Backend.all)
    func oneJobPerAccount(_ backend: Backend) throws {
        try on.start(backend)
        let provider = JobProvider(SandboxProvider(store: store), path: fixture.databasePath)
        let cas = try casResources()
        provider.failing = [cas[1]]
        let sandbox = try fixture.resource("cdn", "static.example.com").id
        let deployments = DeploymentService(store: store, drivers: provider.drivers, time: fixture.time, user: "u", processID: getpid(), isAlive: { _ in true })
        let wildcard = try fixture.certificateID(named: "wildcard-example")
        let task = try deployments.create(TaskRequest(name: "two accounts", certificates: [wildcard], resources: cas + [sandbox]))
        #expect(provider.jobs == [cas])
        #expect(provider.writableDuringJobs == [true])
        #expect(provider.statusesDuringJobs.first?.filter { $0 == .deploying }.count == 2)
        #expect(task.status == .partiallyFailed)
        let byResource = Dictionary(uniqueKeysWithValues: task.pairs.map { ($0.resourceID, $0) })
        #expect(byResource[cas[0]]?.status == .succeeded)
        #expect(byResource[cas[1]]?.cause == "DeployFailed: the listener rejected the certificate")
        #expect(byResource[sandbox]?.status == .succeeded)
        #expect(try store.read { try $0.resource(cas[0]) }?.certificateID == wildcard)
    }

    @Test("a job that cannot be made fails every pair of that account with the sentence; the other accounts' pairs go on", arguments: Backend.all)
    func jobRefused(_ backend: Backend) throws {
        try on.start(backend)
        let provider = JobProvider(SandboxProvider(store: store), path: fixture.databasePath)
        provider.jobFails = Refusal("cas: the cloud did not accept its keys (SignatureDoesNotMatch: ...).")
        let cas = try casResources()
        let sandbox = try fixture.resource("cdn", "static.example.com").id
        let deployments = DeploymentService(store: store, drivers: provider.drivers, time: fixture.time, user: "u", processID: getpid(), isAlive: { _ in true })
        let task = try deployments.create(TaskRequest(name: "refused", certificates: [try fixture.certificateID(named: "wildcard-example")],
                                                      resources: cas + [sandbox]))
        #expect(task.pairs.filter { cas.contains($0.resourceID) }.allSatisfy { $0.status == .failed && $0.cause.contains("did not accept its keys") })
        #expect(task.pairs.first { $0.resourceID == sandbox }?.status == .succeeded)
        #expect(try store.read { try $0.resource(cas[0]) }?.certificateID == nil)
    }

    @Test("D9 on a cloud: an uploaded certificate's pairs on a CAS resource take none of the sandbox's quota; CAS charges its own", arguments: Backend.all)
    func cloudPairsTakeNoSandboxQuota(_ backend: Backend) throws {
        try on.start(backend)
        let provider = JobProvider(SandboxProvider(store: store), path: fixture.databasePath)
        let media = try fixture.certificateID(named: "media-upload")
        let cloud = try store.write { db in
            try db.insertResource(CloudResource(id: ResourceID(0), service: "cdn", region: nil, name: "media", domain: "media.example.com",
                                                certificateID: nil, account: "cas"))
        }
        let deployments = DeploymentService(store: store, drivers: provider.drivers, time: fixture.time, user: "u", processID: getpid(), isAlive: { _ in true })
        let plan = try deployments.preview(TaskRequest(name: "m", certificates: [media], resources: [cloud]))
        #expect(plan.pairs.count == 1)
        #expect(plan.quota == 0)
        let before = try deployments.quotaRemaining()
        let task = try deployments.create(TaskRequest(name: "m", certificates: [media], resources: [cloud]))
        #expect(task.pairs.first?.charged == false)
        #expect(try deployments.quotaRemaining() == before)
        #expect(provider.jobs == [[cloud]])
    }
}
