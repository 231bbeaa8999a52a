import CertpushCore
import CertpushSandbox
import CertpushSetup
import CertpushTestSupport
import Foundation
import Testing

/// SPEC 5, D1 to D17, on the seeded sandbox.
@Suite struct DeploymentTests {
    /// Each test runs once on each backend (T7), its fixture made on the one it is given.
    let on = FixtureOn()
    var fixture: SandboxFixture { on.fixture }

    var deployments: DeploymentService { fixture.workspace.deployments }
    func id(_ name: String) throws -> CertificateID { try fixture.certificateID(named: name) }
    func resource(_ service: String, _ name: String) throws -> CloudResource { try fixture.resource(service, name) }
    func problems(_ request: TaskRequest) throws -> [String] { try deployments.preview(request).problems }

    /// A task that process `runner` claimed, with its claim good until `until`.
    func markRunning(_ id: TaskID, runner: Int32, until: Date = testNow.addingTimeInterval(60)) throws {
        try fixture.workspace.store.write { db in
            try db.setStatus(id, .running, finishedAt: nil)
            try db.setLease(id, TaskLease(runner: runner, until: until))
        }
    }

    @Test("D1: a name of 1 to 64 characters, at most 10 known contacts, a custom time in the future", arguments: Backend.all)
    func basicInformation(_ backend: Backend) throws {
        try on.start(backend)
        let cert = try id("wildcard-example")
        #expect(try problems(TaskRequest(name: " ", certificates: [cert], match: true)).contains("The task name must be 1 to 64 characters."))
        #expect(try problems(TaskRequest(name: String(repeating: "x", count: 65), certificates: [cert], match: true)).count == 1)
        #expect(try problems(TaskRequest(name: "t", certificates: [cert], match: true, contacts: ["Nobody"])) == ["Nobody is not in the contacts list."])
        let eleven = (0..<11).map { "c\($0)" }
        #expect(try problems(TaskRequest(name: "t", certificates: [cert], match: true, contacts: eleven)).contains("A task can have at most 10 contacts."))
        #expect(try problems(TaskRequest(name: "t", certificates: [cert], match: true, at: testNow.addingTimeInterval(-60)))
                == ["The custom deployment time must be in the future."])
        #expect(try problems(TaskRequest(name: "t", certificates: [cert], match: true, contacts: ["Ana Ops"])).isEmpty)
    }

    @Test("D2: official and uploaded certificates are not mixed", arguments: Backend.all)
    func oneSource(_ backend: Backend) throws {
        try on.start(backend)
        let mixed = try problems(TaskRequest(name: "t", certificates: [id("wildcard-example"), id("media-upload")], match: true))
        #expect(mixed.contains("A task deploys official or uploaded certificates, not both: split them into two tasks."))
    }

    @Test("D3: a certificate whose name has Chinese characters cannot be deployed", arguments: Backend.all)
    func chineseName(_ backend: Backend) throws {
        try on.start(backend)
        let chinese = try id("测试证书")
        let found = try problems(TaskRequest(name: "t", certificates: [chinese], resources: [resource("elb", "listener-shop-443").id]))
        #expect(found.contains("\(chinese) cannot be deployed: its name contains Chinese characters."))
    }

    @Test("D4: SM certificates go only to CDN, DCDN and Anti-DDoS", arguments: Backend.all)
    func smTargets(_ backend: Backend) throws {
        try on.start(backend)
        let sm = try id("gov-sm2")
        let elb = try fixture.addResource("elb", region: "cn-north-4", name: "listener-gov-443", domain: "gov.example.cn", certificate: sm)
        #expect(try problems(TaskRequest(name: "t", certificates: [sm], resources: [elb.id])).contains {
            $0.hasPrefix("\(sm) is an SM certificate: it deploys only to CDN, DCDN and Anti-DDoS")
        })
        #expect(try problems(TaskRequest(name: "t", certificates: [sm], resources: [resource("ddos", "ddos-gov").id])).isEmpty)
    }

    @Test("D5: smart matching finds bound resources the certificate covers, and CDN/DCDN ones without HTTPS", arguments: Backend.all)
    func smartMatching(_ backend: Backend) throws {
        try on.start(backend)
        let matched = try deployments.smartMatches(for: [id("wildcard-example")])
        let names = Set(matched.map(\.name))
        #expect(names.contains("listener-m-443"))       // m.example.com, bound
        #expect(names.contains("static.example.com"))   // CDN, no HTTPS yet
        #expect(names.contains("dyn.example.com"))      // DCDN, no HTTPS yet
        #expect(!names.contains("listener-shop-443"))   // shop.example.cn: not covered
        #expect(!names.contains("listener-za-443"))     // za.example.com but ELB without a certificate
        #expect(matched.allSatisfy { DomainMatch.covers("*.example.com", $0.domain) })
        #expect(try deployments.smartMatches(for: [id("api.example.org")]).map(\.name).sorted() == ["api-group-1", "listener-api-443", "waf-api"])
    }

    @Test("D6: services without first deployment take only resources that already have a certificate", arguments: Backend.all)
    func firstDeployment(_ backend: Backend) throws {
        try on.start(backend)
        let za = try resource("elb", "listener-za-443")
        #expect(try problems(TaskRequest(name: "t", certificates: [id("wildcard-example")], resources: [za.id]))
                == ["\(za.id) has no certificate yet, and ELB takes only resources that already have one."])
        #expect(try problems(TaskRequest(name: "t", certificates: [id("wildcard-example")], resources: [resource("cdn", "static.example.com").id])).isEmpty)
    }

    @Test("D7: on ELB and GA the new certificate must cover the old one's domain, else 'domain mismatch'", arguments: Backend.all)
    func replacementRule(_ backend: Backend) throws {
        try on.start(backend)
        // The wildcard covers shop.example.com, but does not lie under the old certificate's only name.
        let old = try fixture.importCertificate(["shop.example.com"])
        let listener = try fixture.addResource("elb", region: "cn-north-4", name: "listener-shop2-443", domain: "shop.example.com", certificate: old.id)
        let task = try deployments.create(TaskRequest(name: "wrong cert", certificates: [id("wildcard-example")], resources: [listener.id]))
        #expect(task.status == .failed)
        #expect(task.pairs.first?.cause == "domain mismatch")
        #expect(try fixture.workspace.store.read { try $0.resource(listener.id) }?.certificateID == old.id)
    }

    @Test("D8, D5a: two certificates covering one ELB listener equally well are refused at preview, naming both", arguments: Backend.all)
    func oneCertificatePerListener(_ backend: Backend) throws {
        try on.start(backend)
        let listener = try resource("elb", "listener-m-443")
        let a = try fixture.importCertificate(["*.example.com"], name: "wild-a"), b = try fixture.importCertificate(["*.example.com"], name: "wild-b")
        let found = try problems(TaskRequest(name: "t", certificates: [a.id, b.id], resources: [listener.id]))
        #expect(found == ["\(listener.id) is an ELB listener: one task cannot put both \(a.id) and \(b.id) on it."])
    }

    @Test("D9: pairs and quota; uploaded unshared certificates cost a unit a pair; zero pairs or too much quota cannot be submitted", arguments: Backend.all)
    func previewAndQuota(_ backend: Backend) throws {
        try on.start(backend)
        let shared = try deployments.preview(TaskRequest(name: "t", certificates: [id("partner-shared")], match: true))
        #expect(shared.pairs.count >= 1)
        #expect(shared.quota == 0)
        let unshared = try deployments.preview(TaskRequest(name: "t", certificates: [id("media-upload")], match: true))
        #expect(unshared.quota == unshared.pairs.count)
        #expect(unshared.quotaRemaining == 10)
        let empty = try deployments.preview(TaskRequest(name: "t", certificates: [id("media-upload")]))
        #expect(empty.problems == ["The task has no certificate-resource pairs: add resources."])
        try fixture.workspace.store.write { try $0.setValue("0", forKey: DeploymentService.quotaKey) }
        #expect(try problems(TaskRequest(name: "t", certificates: [id("media-upload")], match: true))
                == ["The task needs \(Words.count(unshared.quota, "unit")) of deployment quota; 0 are left."])
        #expect(throws: Refusal.self) { try deployments.create(TaskRequest(name: "t", certificates: [id("media-upload")], match: true)) }
        #expect(try deployments.tasks().isEmpty)
    }

    @Test("D10, D11, D17: quota taken at run, refunded per failure; retry charges and refunds again; one failure never stops the others", arguments: Backend.all)
    func quotaAndRetry(_ backend: Backend) throws {
        try on.start(backend)
        let cert = try id("legacy-upload")
        let good = try resource("mse", "gw-main")
        let faulty = try fixture.addResource("mse", region: "cn-east-3", name: "gw-faulty", domain: "legacy.example.net",
                                             certificate: cert, fault: "gateway in maintenance")
        let task = try deployments.create(TaskRequest(name: "mixed", certificates: [cert], resources: [faulty.id, good.id]))
        #expect(task.status == .partiallyFailed)
        #expect(task.pairs.map(\.status) == [.failed, .succeeded])
        #expect(try deployments.quotaRemaining() == 9)
        let retried = try deployments.retry(task.id)
        #expect(retried.status == .partiallyFailed)
        #expect(retried.pairs.map(\.status) == [.failed, .succeeded])
        #expect(try deployments.quotaRemaining() == 9)
        #expect(throws: Refusal.self) { try deployments.retry(task.id, resources: [good.id]) }
    }

    @Test("D11, D12: roll back puts the previous certificate back; the task is rolled_back once every success is", arguments: Backend.all)
    func rollBack(_ backend: Backend) throws {
        try on.start(backend)
        let wildcard = try id("wildcard-example")
        let listener = try resource("elb", "listener-web-443"), cdn = try resource("cdn", "www.example.com")
        let before = listener.certificateID
        let task = try deployments.create(TaskRequest(name: "wild", certificates: [wildcard], resources: [listener.id, cdn.id]))
        #expect(task.status == .succeeded)
        #expect(try fixture.workspace.store.read { try $0.resource(listener.id) }?.certificateID == wildcard)
        let outcomes = try deployments.rollBack(task.id, resources: [listener.id])
        #expect(outcomes.map(\.sentence) == ["\(listener.id) listener-web-443: \(before!) is back (was \(wildcard))."])
        let half = try deployments.task(task.id)
        #expect(half.status == .succeeded)
        // Still "succeeded", but never silent about the resource put back (issue 22, words).
        #expect(half.statusWords == "succeeded, 1 rolled back")
        #expect(try deployments.summaries().first { $0.id == task.id }?.statusWords == "succeeded, 1 rolled back")
        #expect(half.pairs.first { $0.resourceID == listener.id }?.status == .rolledBack)
        #expect(try fixture.workspace.store.read { try $0.resource(listener.id) }?.certificateID == before)
        #expect(throws: Refusal("\(listener.id) cannot be rolled back: its status is rolled back, not succeeded.")) {
            try deployments.rollBack(task.id, resources: [listener.id])
        }
        #expect(try deployments.rollBack(task.id).count == 1)
        #expect(try deployments.task(task.id).status == .rolledBack)
        #expect(try deployments.task(task.id).statusWords == "rolled back")
        // Each change of the pair is kept as a step, at the workspace's time (issue 22, 3).
        let pair = try #require(try deployments.task(task.id).pairs.first { $0.resourceID == listener.id })
        let steps = try deployments.steps(of: pair)
        #expect(steps.map(\.status) == [.deploying, .succeeded, .rollingBack, .rolledBack])
        #expect(steps.allSatisfy { $0.at == testNow })
    }

    @Test("S8: a certificate that does not cover a site loading the same file blocks, named; two certificates for one file block", arguments: Backend.all)
    func sharedFile(_ backend: Backend) throws {
        try on.start(backend)
        let www = try fixture.workspace.certificates.certificate(id("www.example.com")), wildcard = try fixture.workspace.certificates.certificate(id("wildcard-example"))
        let r1 = CloudResource(id: ResourceID(1), service: "nginx", region: "web1", name: "www", domain: "www.example.com", certificateID: nil, account: "web")
        let r2 = CloudResource(id: ResourceID(2), service: "nginx", region: "web1", name: "api", domain: "api.example.com", certificateID: nil, account: "web")
        let (sentence, uncovered) = DeploymentRules.sharedFile(r1, [r2], www)
        #expect(sentence == "r1 shares its certificate file with r2: it gets \(www.id) too, and the proof covers it.")
        #expect(uncovered == ["r2 (api.example.com) loads the same certificate file as r1, and \(www.id) does not cover it: choose a certificate that covers both, or give r2 a file of its own."])
        #expect(DeploymentRules.sharedFile(r1, [r2], wildcard).1.isEmpty)
        let conflicts = DeploymentRules.fileConflicts([PlannedPair(certificate: www.id, resource: r1.id), PlannedPair(certificate: wildcard.id, resource: r2.id)],
                                                      [r1.id: [r2], r2.id: [r1]])
        #expect(conflicts == ["r1 and r2 load the same certificate file: one task cannot put both \(www.id) and \(wildcard.id) there."])
    }

    @Test("S9: a site that answers any name takes the certificate chosen for it, with a warning; smart matching never adds it", arguments: Backend.all)
    func answersAnyName(_ backend: Backend) throws {
        try on.start(backend)
        let wildcard = try id("wildcard-example")
        let any = try fixture.addResource("cdn", name: "catch-all", domain: CloudResource.anyName, certificate: try id("www.example.com"))
        #expect(any.answersAnyName)
        let matched = try deployments.preview(TaskRequest(name: "m", certificates: [wildcard], match: true))
        #expect(!matched.resources.contains { $0.id == any.id }, "never smart-matched")
        let chosen = try deployments.preview(TaskRequest(name: "c", certificates: [wildcard], resources: [any.id]))
        #expect(chosen.problems.isEmpty, "\(chosen.problems)")
        #expect(chosen.pairs.map(\.resource) == [any.id])
        #expect(chosen.warnings.contains("\(any.id) answers any name: every client that reaches it, whatever name it asks for, will get \(wildcard)."))
        let two = try deployments.preview(TaskRequest(name: "t", certificates: [wildcard, try id("api.example.org")], resources: [any.id]))
        #expect(two.problems.contains { $0.contains("is covered equally well by") }, "two certificates for one catch-all: the user chooses")
        #expect(ServerSite(host: "h", address: "*", port: 443, serverNames: ["_"], certificatePath: "/a", keyPath: "/a", servedFingerprint: nil).answersAnyName)
        #expect(ServerSite(host: "h", address: "*", port: 443, serverNames: [], certificatePath: "/a", keyPath: "/a", servedFingerprint: nil).domain == "*")
        #expect(ServerSite(host: "h", address: "*", port: 443, serverNames: ["_", "*.example.com"], certificatePath: "/a", keyPath: "/a",
                           servedFingerprint: nil).domain == "*.example.com")
    }

    @Test("a resource that already serves the certificate: preview says so, and its roll back says it keeps it (issue 22, 9)", arguments: Backend.all)
    func sameCertificateAgain(_ backend: Backend) throws {
        try on.start(backend)
        let partner = try id("partner-shared")
        let plan = try deployments.preview(TaskRequest(name: "again", certificates: [partner], match: true))
        let held = try #require(plan.resources.first { $0.certificateID == partner })
        #expect(plan.warnings.contains("\(held.id) already serves \(partner): deploying it again writes it afresh (a repair), and its roll back keeps \(partner)."),
                "\(plan.warnings)")
        let task = try deployments.create(TaskRequest(name: "again", certificates: [partner], resources: [held.id]))
        let outcome = try #require(try deployments.rollBack(task.id).first)
        #expect(outcome.sentence == "\(held.id) \(held.name): keeps \(partner), which it held before the task too.")
    }

    @Test("D13: delete one or several; a running task cannot be deleted", arguments: Backend.all)
    func delete(_ backend: Backend) throws {
        try on.start(backend)
        let a = try deployments.create(TaskRequest(name: "a", certificates: [id("partner-shared")], match: true, at: testNow.addingTimeInterval(3_600)))
        let b = try deployments.create(TaskRequest(name: "b", certificates: [id("partner-shared")], match: true, at: testNow.addingTimeInterval(7_200)))
        #expect(a.status == .scheduled)
        try markRunning(b.id, runner: 1)
        #expect(throws: Refusal("\(b.id) is running and cannot be deleted.")) { try deployments.delete([a.id, b.id]) }
        #expect(try deployments.tasks().count == 2)
        try deployments.delete([a.id])
        #expect(try deployments.tasks().map(\.id) == [b.id])
    }

    @Test("D14: a scheduled task runs when due, from run-due, exactly once", arguments: Backend.all)
    func schedules(_ backend: Backend) throws {
        try on.start(backend)
        let task = try deployments.create(TaskRequest(name: "later", certificates: [id("partner-shared")], match: true, at: testNow.addingTimeInterval(600)))
        #expect(try deployments.runDue().isEmpty)
        fixture.time.advance(by: 601)
        #expect(try deployments.runDue() == [task.id])
        #expect(try deployments.runDue().isEmpty)
        #expect(try deployments.task(task.id).status.isFinished)
        #expect(try deployments.run(task.id) == nil)
    }

    @Test("D14: two services racing for the same due tasks never run one twice", arguments: Backend.all)
    func concurrentRunDue(_ backend: Backend) async throws {
        try on.start(backend)
        let tasks = try (0..<4).map { n in
            try deployments.create(TaskRequest(name: "t\(n)", certificates: [id("partner-shared")], match: true, at: testNow.addingTimeInterval(60)))
        }
        fixture.time.advance(by: 61)
        let other = DeploymentService(store: fixture.workspace.store, drivers: SandboxProvider(store: fixture.workspace.store).drivers, time: fixture.time, user: "cron",
                                      processID: 999_999, isAlive: { _ in true })
        // Both judge the other's process alive, as two real processes would (a fake pid is no process here).
        let mine = DeploymentService(store: fixture.workspace.store, drivers: SandboxProvider(store: fixture.workspace.store).drivers, time: fixture.time,
                                     user: "me", processID: getpid(), isAlive: { _ in true })
        async let first = Task { try mine.runDue() }.value
        async let second = Task { try other.runDue() }.value
        let ran = try await first + second
        #expect(ran.sorted() == tasks.map(\.id).sorted())
        #expect(Set(ran).count == ran.count)
    }

    @Test("D15: each contact gets a notification in the outbox, and the deliverer is called", arguments: Backend.all)
    func notifications(_ backend: Backend) throws {
        try on.start(backend)
        final class Box: @unchecked Sendable { var delivered: [TaskNotification] = [] }
        let box = Box()
        let service = DeploymentService(store: fixture.workspace.store, drivers: SandboxProvider(store: fixture.workspace.store).drivers, time: fixture.time, user: "u",
                                        processID: getpid(), isAlive: { _ in true }, deliver: { box.delivered.append($0); return nil })
        let task = try service.create(TaskRequest(name: "n", certificates: [id("partner-shared")], match: true, contacts: ["Ana Ops", "Bo Security"]))
        let outbox = try service.outbox()
        #expect(outbox.map(\.contact).sorted() == ["Ana Ops", "Bo Security"])
        #expect(outbox.allSatisfy { $0.taskID == task.id && $0.message.contains("ended succeeded") })
        #expect(box.delivered.count == 2)
    }

    /// A task claimed by process 4242 (now dead) with its one pair left deploying and charged: a crash mid-task.
    func crashedTask(certificate: String, resource: CloudResource) throws -> TaskID {
        let task = try deployments.create(TaskRequest(name: "crash", certificates: [id(certificate)], resources: [resource.id],
                                                      at: testNow.addingTimeInterval(60)))
        try fixture.workspace.store.write { db in
            try db.setStatus(task.id, .running, finishedAt: nil)
            try db.setLease(task.id, TaskLease(runner: 4242, until: testNow.addingTimeInterval(60)))
            var pair = try db.task(task.id)!.pairs[0]
            pair.status = .deploying
            pair.previousCertificateID = resource.certificateID
            pair.charged = true
            try db.update(pair, at: Date())
            try db.setValue("9", forKey: DeploymentService.quotaKey)
        }
        return task.id
    }

    var recoverer: DeploymentService {
        DeploymentService(store: fixture.workspace.store, drivers: SandboxProvider(store: fixture.workspace.store).drivers, time: fixture.time, user: "u",
                          processID: getpid(), isAlive: { $0 != 4242 })
    }

    @Test("recovery: a deploying pair the provider never applied fails 'interrupted' and its quota comes back", arguments: Backend.all)
    func recoveryInterrupted(_ backend: Backend) throws {
        try on.start(backend)
        let media = try fixture.addResource("cdn", name: "media.example.com", domain: "media.example.com")
        let task = try crashedTask(certificate: "media-upload", resource: media)
        #expect(try recoverer.recover() == [task])
        let after = try recoverer.task(task)
        #expect(after.status == .failed)
        #expect(after.pairs[0].cause == "interrupted")
        #expect(try recoverer.quotaRemaining() == 10)
        #expect(try recoverer.recover().isEmpty)
    }

    @Test("recovery: a deploying pair the provider did apply is finished as succeeded, quota kept", arguments: Backend.all)
    func recoveryApplied(_ backend: Backend) throws {
        try on.start(backend)
        // The sandbox already has legacy-upload on gw-main: the provider shows it applied.
        let task = try crashedTask(certificate: "legacy-upload", resource: resource("mse", "gw-main"))
        #expect(try recoverer.recover() == [task])
        #expect(try recoverer.task(task).status == .succeeded)
        #expect(try recoverer.quotaRemaining() == 9)
    }

    @Test("a live runner's task is left alone by recovery", arguments: Backend.all)
    func liveRunner(_ backend: Backend) throws {
        try on.start(backend)
        let task = try deployments.create(TaskRequest(name: "live", certificates: [id("partner-shared")], match: true, at: testNow.addingTimeInterval(60)))
        try markRunning(task.id, runner: 77)
        let other = DeploymentService(store: fixture.workspace.store, drivers: SandboxProvider(store: fixture.workspace.store).drivers, time: fixture.time, user: "u",
                                      processID: getpid(), isAlive: { $0 == 77 })
        #expect(try other.recover().isEmpty)
        #expect(try other.task(task.id).status == .running)
    }
}

/// Lists and details read a task's counts from the tally and its pairs a page at a time (SPEC 9).
@Suite struct TaskSummaryTests {
    @Test("a summary's counts follow every pair through run, roll back and retry; pages give each service's pairs in order", arguments: Backend.all)
    func summaries(_ backend: Backend) throws {
        let fixture = try SandboxFixture(backend: backend)
        let deployments = fixture.workspace.deployments
        let task = try deployments.create(TaskRequest(name: "t", certificates: [try fixture.certificateID(named: "wildcard-example")], match: true))
        func check() throws {
            let full = try deployments.task(task.id), summary = try deployments.summary(task.id)
            #expect(summary.pairTotal == full.pairs.count)
            for status in PairStatus.allCases { #expect(summary.count(status) == full.count(status), "\(status)") }
            var services: [String] = []
            for pair in full.pairs where !services.contains(pair.service) { services.append(pair.service) }
            #expect(summary.services == services)
            for service in services {
                let expected = full.pairs.filter { $0.service == service }
                var walked: [TaskPair] = []
                var page = try deployments.pairs(of: task.id, service: service, .first, limit: 2)
                while let last = page.last {
                    walked += page
                    page = try deployments.pairs(of: task.id, service: service, .after(last.id), limit: 2)
                }
                #expect(walked == expected)
                #expect(try deployments.pairs(of: task.id, service: service, .last, limit: 1) == [expected.last!])
            }
            #expect(try deployments.summaries().first { $0.id == task.id } == summary)
        }
        try check()
        let succeeded = try deployments.task(task.id).pairs.first { $0.status == .succeeded }!
        _ = try deployments.rollBack(task.id, resources: [succeeded.resourceID])
        try check()
        _ = try deployments.retry(task.id, resources: nil)
        try check()
        try deployments.delete([task.id])
        #expect(try deployments.summaries().isEmpty)
    }
}
