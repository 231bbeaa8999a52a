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
        #expect(workspace.provider is SandboxProvider)
        #expect(workspace.deployments.provider is SandboxProvider)
        #expect(workspace.push.provider is SandboxProvider)
        #expect(workspace.accounts == [.sandbox])
        #expect(workspace.unusedAccounts.map(\.name) == ["web"])
        #expect(workspace.unusedAccountsNote?.contains("(web) are not used here") == true)
        #expect(try workspace.synchronize().map(\.sentence) == ["sandbox: 23 resources."])
        #expect(throws: Refusal.self) { try workspace.account(named: "web") }
        #expect(try workspace.store.read { try $0.resourceCountsByAccount() }.keys.sorted() == ["sandbox"])
    }

    @Test("W2: a live workspace holds no sandbox certificate, resource, region, CA or quota, and its accounts are config.toml's")
    func liveHoldsNoSandbox() throws {
        let workspace = try open("live.sqlite", kind: .live, accounts: [web])
        #expect(workspace.kind == .live)
        #expect(!(workspace.provider is SandboxProvider))
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
        FileManager.default.createFile(atPath: paths.liveDatabase, contents: Data())
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
}
