import CertpushClouds
import CertpushCore
import CertpushSandbox
import CertpushSetup
import CertpushTestSupport
import Foundation
import GRDB
import Testing

/// SPEC 14: a database is a training or a live workspace, fixed when it is made.
@Suite struct WorkspaceTests {
    let directory = TemporaryDirectory()
    let web = Account(name: "web", kind: .servers, hosts: [ServerHost(name: "web1", ssh: "local", server: .nginx)])

    func open(_ name: String, kind: WorkspaceKind = .training, accounts: [Account] = []) throws -> Workspace {
        try Workspace.open(path: directory.path(name), kind: kind, keyring: directory.path("keyring"), time: ManualTime(testNow), user: "u",
                           accounts: accounts)
    }

    @Test("W1: a training workspace is handed the sandbox alone; config.toml's accounts are named as unused, never reached")
    func trainingHoldsOnlyTheSandbox() throws {
        let workspace = try open("training.sqlite", accounts: [web])
        #expect(workspace.kind == .training)
        #expect(workspace.drivers.byAccount.keys.sorted() == ["sandbox"])
        #expect(workspace.deployments.drivers.byAccount["sandbox"]?.deployer is SandboxProvider)
        #expect(workspace.push.drivers.byAccount["sandbox"]?.pusher is SandboxProvider)
        #expect(workspace.accounts == [.sandbox])
        #expect(workspace.unusedAccounts.map(\.name) == ["web"])
        #expect(workspace.unusedAccountsNote?.contains("(web) are not used here") == true)
        #expect(try workspace.synchronize().map(\.sentence) == ["sandbox: 23 resources."])
        #expect(throws: Refusal.self) { try workspace.account(named: "web") }
        #expect(try workspace.store.read { try $0.resourceCountsByAccount() }.keys.sorted() == ["sandbox"])
        // Another account's resource, left by a database from before workspaces, is not the sandbox's (issue 22: "24 resources").
        _ = try workspace.store.write { db in
            try db.insertResource(CloudResource(id: ResourceID(0), service: "nginx", region: nil, name: "web1:443", domain: "www.example.com",
                                                certificateID: nil, account: "web"))
        }
        #expect(try workspace.synchronize().map(\.sentence) == ["sandbox: 23 resources."])
    }

    @Test("W2: a live workspace holds no sandbox certificate, resource, region, CA or quota, and its accounts are config.toml's")
    func liveHoldsNoSandbox() throws {
        let workspace = try open("live.sqlite", kind: .live, accounts: [web])
        #expect(workspace.kind == .live)
        #expect(workspace.drivers.byAccount.keys.sorted() == ["web"])
        #expect(!(workspace.drivers.byAccount["web"]?.deployer is SandboxProvider))
        #expect(workspace.accounts.map(\.name) == ["web"])
        #expect(workspace.unusedAccountsNote == nil)
        #expect(try workspace.certificates.count(CertificateQuery()) == 0)
        let (resources, regions, ca, quota, kind) = try workspace.store.read { db in
            (try db.resourceCount(), try db.regions(), try db.value(forKey: "sandbox.ca.certificate"),
             try db.value(forKey: DeploymentService.quotaKey), try db.value(forKey: WorkspaceKind.settingKey))
        }
        #expect(resources == 0 && regions.isEmpty && ca == nil && quota == nil && kind == "live")
        // Reopened with no kind asked for, it stays live.
        #expect(try open("live.sqlite").kind == .live)
    }

    @Test("W3: certpush opens the live workspace when one exists, else the training one; --training picks training")
    func defaultPaths() throws {
        let paths = Paths(environment: ["HOME": directory.path("home"), "XDG_DATA_HOME": directory.path("data")])
        #expect(paths.database() == directory.path("data") + "/certpush/training.sqlite")
        try FileManager.default.createDirectory(atPath: directory.path("data") + "/certpush", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: paths.liveDatabase, contents: Data())
        #expect(paths.database() == directory.path("data") + "/certpush/certpush.sqlite")
        #expect(paths.database(training: true) == directory.path("data") + "/certpush/training.sqlite")
        #expect(paths.database(explicit: "/x.sqlite", training: false) == "/x.sqlite")
    }

    /// A database as certpush made it before workspaces: no kind stored.
    func legacy(_ name: String, kind: WorkspaceKind, realResource: Bool) throws -> String {
        let path = directory.path(name)
        let workspace = try open(name, kind: kind)
        if realResource {
            _ = try workspace.store.write { db in
                try db.insertResource(CloudResource(id: ResourceID(0), service: "nginx", region: nil, name: "www.example.com:443",
                                                    domain: "www.example.com", certificateID: nil, account: "web"))
            }
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [WorkspaceKind.settingKey])
            if kind == .live { try db.execute(sql: "INSERT INTO setting (key, value) VALUES ('created.as', 'empty')") }
        }
        try queue.close()
        return path
    }

    @Test("W7: a database from before workspaces opens as training when it holds only the sandbox, as live when it holds no sandbox")
    func legacyKinds() throws {
        _ = try legacy("old-sandbox.sqlite", kind: .training, realResource: false)
        #expect(try open("old-sandbox.sqlite").kind == .training)
        _ = try legacy("old-empty.sqlite", kind: .live, realResource: true)
        #expect(try open("old-empty.sqlite").kind == .live)
    }

    @Test("W7: one that holds both can only be read: every write is refused in one sentence naming the split, and the file keeps its bytes")
    func legacyMixedIsReadOnly() throws {
        let path = try legacy("old-mixed.sqlite", kind: .training, realResource: true)
        let workspace = try open("old-mixed.sqlite", accounts: [web])
        #expect(workspace.kind == .needsSplit)
        #expect(try workspace.certificates.count(CertificateQuery()) > 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let certificate = try #require(try workspace.certificates.list(CertificateQuery()).first)
        do {
            try workspace.certificates.delete(certificate.id)
            Issue.record("a delete went through")
        } catch let refusal as Refusal {
            #expect(refusal.sentence.contains("certpush workspace split"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(WorkspaceKind.splitSentence(path: path).contains("certpush workspace split"))
    }

    @Test("W7: workspace split writes a training and a live part; each pair, push record and binding goes with its account; a demo certificate on a real resource is live's as uploaded; the original keeps its bytes")
    func split() throws {
        let path = directory.path("old-mixed.sqlite")
        do {
            let workspace = try open("old-mixed.sqlite")
            let wildcard = try #require(try workspace.certificates.list(CertificateQuery()).first { $0.name == "wildcard-example" })
            let real = try workspace.store.write { db in
                try db.insertResource(CloudResource(id: ResourceID(0), service: "nginx", region: nil, name: "m.example.com:443",
                                                    domain: "m.example.com", certificateID: nil, account: "web"))
            }
            let listener = try #require(try workspace.store.read { try $0.resources(ResourceFilter(service: "elb")) }.first { $0.domain == "m.example.com" })
            let task = try workspace.deployments.create(TaskRequest(name: "both", certificates: [wildcard.id], resources: [listener.id, real]))
            #expect(try workspace.deployments.task(task.id).pairs.count == 2)
            _ = try workspace.push.push(PushRequest(certificate: wildcard.id, selections: [.init(service: "cdn")]))
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [WorkspaceKind.settingKey]) }
        try queue.close()
        #expect(try open("old-mixed.sqlite").kind == .needsSplit)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let outcome = try Workspace.split(path: path, into: directory.path("parts"), keyring: directory.path("keyring"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".before-split")) == before)
        #expect(!FileManager.default.fileExists(atPath: path))

        let training = try Workspace.open(path: outcome.training.path, create: false, keyring: directory.path("keyring"), time: ManualTime(testNow), user: "u")
        #expect(training.kind == .training)
        #expect(try training.store.read { try $0.resourceCountsByAccount() } == ["sandbox": 23])
        #expect(try training.certificates.count(CertificateQuery()) == 14)
        let trainingTask = try #require(try training.deployments.tasks().first)
        #expect(trainingTask.pairs.map(\.resourceName) == ["listener-m-443"])
        #expect(try training.store.read { try $0.regions() }.count > 10)
        #expect(try training.store.read { try $0.reference(ProviderReference(.casJob, account: "web", subject: "r24")) } == nil)

        let live = try Workspace.open(path: outcome.live.path, create: false, keyring: directory.path("keyring"), time: ManualTime(testNow), user: "u")
        #expect(live.kind == .live)
        #expect(try live.store.read { try $0.resourceCountsByAccount() } == ["web": 1])
        let kept = try live.certificates.list(CertificateQuery())
        #expect(kept.map(\.name) == ["wildcard-example"])
        #expect(kept.first?.source == .uploaded)
        #expect(try live.store.read { try $0.privateKeyPEM(of: kept[0].id) }?.contains("PRIVATE KEY") == true)
        #expect(try live.store.read { try $0.pushRecords(certificate: kept[0].id, limit: 10) }.isEmpty)
        #expect(try live.store.read { try $0.regions() }.isEmpty)
        let liveTask = try #require(try live.deployments.tasks().first)
        #expect(liveTask.pairs.map(\.resourceName) == ["m.example.com:443"])
        #expect(try training.store.read { try $0.pushRecords(certificate: kept[0].id, limit: 10) }.count == 1)
    }
}

/// Issue 18: v10 was edited after it landed; v12 repairs a database made in between.
@Suite struct MigrationRepairTests {
    @Test("v12: a task_pair.account made NOT NULL by the first v10 is rebuilt nullable; its pairs, indexes and tallies kept; a sandbox task can be made again")
    func repairsTaskPairAccount() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("between.sqlite")
        do {
            let workspace = try Workspace.open(path: path, keyring: directory.path("keyring"), time: ManualTime(testNow), user: "u")
            let media = try #require(try workspace.certificates.list(CertificateQuery()).first { $0.name == "media-upload" })
            _ = try workspace.deployments.create(TaskRequest(name: "before", certificates: [media.id], match: true))
        }
        // The schema as the first v10 left it: account NOT NULL, and v12 not run yet.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE task_pair_old AS SELECT * FROM task_pair;
                DROP TABLE task_pair;
                CREATE TABLE task_pair (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                    resource_id INTEGER NOT NULL, certificate_id INTEGER NOT NULL, service TEXT NOT NULL, region TEXT NOT NULL,
                    resource_name TEXT NOT NULL, status TEXT NOT NULL, cause TEXT NOT NULL, previous_certificate_id INTEGER,
                    charged INTEGER NOT NULL, account TEXT NOT NULL DEFAULT 'sandbox');
                INSERT INTO task_pair SELECT id, task_id, resource_id, certificate_id, service, region, resource_name, status, cause,
                    previous_certificate_id, charged, coalesce(account, 'sandbox') FROM task_pair_old;
                DROP TABLE task_pair_old;
                DELETE FROM grdb_migrations WHERE identifier = 'v12-task-pair-account-repair';
                """)
        }
        try queue.close()
        let workspace = try Workspace.open(path: path, keyring: directory.path("keyring"), time: ManualTime(testNow), user: "u")
        let before = try workspace.deployments.tasks()
        #expect(before.count == 1 && before[0].pairs.count > 0)
        let wildcard = try #require(try workspace.certificates.list(CertificateQuery()).first { $0.name == "wildcard-example" })
        let after = try workspace.deployments.create(TaskRequest(name: "after", certificates: [wildcard.id], match: true))
        #expect(after.pairs.count == 12)
        #expect(try workspace.deployments.summary(after.id).pairTotal == 12)
        let notNull = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(task_pair)").first { ($0["name"] as String?) == "account" }?["notnull"] as Int?
        }
        #expect(notNull == 0)
    }

    @Test("v13: what v10's providers kept among the settings moves to provider_reference, the worker's 'JOB WORKER' split in two, nothing lost")
    func movesProviderReferences() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("references.sqlite")
        let made = try Workspace.open(path: path, kind: .live, keyring: directory.path("keyring"), time: ManualTime(testNow), user: "u")
        let certificate = try made.certificates.importCertificate(ImportRequest(certificate: Fixtures.file("rsa-4096.crt.pem")))
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                DROP TABLE provider_reference;
                DELETE FROM grdb_migrations WHERE identifier IN ('v13-provider-references', 'v14-cas-references-by-fingerprint');
                INSERT INTO setting (key, value) VALUES ('cas.ali.prod.worker.r5', 'J1 W9'), ('cas.ali.prod.job.r5', 'J1'),
                    ('cas.ali.prod.cas-id.\(certificate.id)', '777'), ('cas.ali.prod.certpush-id.777', '\(certificate.id.rawValue)'),
                    ('scm.hw.certificate.ab12', 'SCMID'), ('deployment.quota', '10');
                """)
        }
        try queue.close()
        let workspace = try Workspace.open(path: path, keyring: directory.path("keyring"), time: ManualTime(testNow), user: "u")
        let found = try workspace.store.read { db in
            try [ProviderReference(.casWorkerJob, account: "ali.prod", subject: "r5"), ProviderReference(.casWorker, account: "ali.prod", subject: "r5"),
                 ProviderReference(.casJob, account: "ali.prod", subject: "r5"),
                 // v14: CAS names certificates by fingerprint, as the drivers are handed them.
                 ProviderReference(.casCertificate, account: "ali.prod", subject: certificate.fingerprint),
                 ProviderReference(.casFingerprint, account: "ali.prod", subject: "777"), ProviderReference(.scmCertificate, account: "hw", subject: "ab12")]
                .map { try db.reference($0) }
        }
        #expect(found == ["J1", "W9", "J1", "777", certificate.fingerprint, "SCMID"])
        #expect(try workspace.store.read { try $0.reference(ProviderReference(.casCertificate, account: "ali.prod", subject: certificate.id.description)) } == nil)
        let left = try workspace.store.read { db in
            try ["cas.ali.prod.worker.r5", "scm.hw.certificate.ab12", "deployment.quota"].map { try db.value(forKey: $0) }
        }
        #expect(left == [nil, nil, "10"])
    }
}
