import CertpushCore
import CertpushServers
import CertpushTestSupport
import Foundation
import Testing

/// W1, tried as issue 17's report did: a servers account configured for a
/// real nginx on loopback, and a trainee who runs every action of a training
/// workspace. The site serves the same certificate afterwards, its files
/// keep their bytes, and nothing was staged beside them.
@Suite(.serialized) struct TrainingIsolationTests {
    let cli = ConfiguredCLI()

    @Test("W1: sync, tasks with --match, retry, roll back, push and bind in a training workspace never reach a configured nginx")
    func trainingNeverReachesAServer() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let (nginx, port, certificate, key) = try NginxFixture.servingWWW()
        defer { nginx.stop() }
        let config = serversAccount([("here", "local", nginx.command)])
        func certpush(_ arguments: String...) throws -> CertpushBinary.Result { try cli(arguments, config: config) }
        let served = try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com")
        let files = try [certificate, key].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let folder = (certificate as NSString).deletingLastPathComponent
        let listing = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()

        #expect(try certpush("init").status == 0)
        let status = try certpush("status")
        #expect(status.stdout.contains("Kind: TRAINING"))
        #expect(status.stdout.contains("the accounts in config.toml (web) are not used here"), "\(status.stdout)")
        #expect(try certpush("accounts").stdout.contains("(web) are not used here"))
        // Every action a trainee has, as the report ran them: the demo wildcard matched everywhere it could be.
        #expect(try certpush("resources", "sync").stdout.contains("sandbox: 23 resources."))
        let refusedSync = try certpush("resources", "sync", "--account", "web")
        #expect(refusedSync.status == 2 && refusedSync.stderr.contains("There is no account web; the accounts are sandbox."))
        let preview = try certpush("tasks", "preview", "--name", "practice", "--cert", "c2", "--match", "--json")
        #expect(!preview.stdout.contains("\"web\""), "\(preview.stdout)")
        let task = try certpush("tasks", "create", "--name", "practice", "--cert", "c2", "--match")
        #expect(task.status == 1, "the listener in maintenance fails: \(task.stdout)\(task.stderr)")
        #expect(try certpush("training", "fix", "r6").status == 0)
        #expect(try certpush("tasks", "retry", "t1").status == 0)
        #expect(try certpush("tasks", "rollback", "t1").status == 0)
        #expect(try certpush("push", "c2", "--service", "cdn").status == 0)
        #expect(try certpush("resources", "bind", "r8", "c2").status == 0)
        #expect(try certpush("tasks", "create", "--name", "www", "--cert", "c1", "--match").status != 2)
        #expect(try certpush("verify").status == 0)
        let resources = try certpush("resources", "list", "--json").stdout
        #expect(!resources.contains("\"account\" : \"web\"") && !resources.contains("\"account\":\"web\""))

        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == served)
        #expect(try [certificate, key].map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == files)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == listing)
        #expect(!FileManager.default.fileExists(atPath: cli.directory.path("\(URL(fileURLWithPath: certificate).lastPathComponent).certpush-new")))
    }

    @Test("W2: a live workspace lists no sandbox certificate, resource or region; W3: init --live makes one before any account exists")
    func liveListsNoSandbox() throws {
        func certpush(_ arguments: String...) throws -> CertpushBinary.Result { try cli(arguments, config: nil) }
        let made = try certpush("init", "--live")
        #expect(made.status == 0 && made.stdout.contains("no accounts yet"))
        #expect(try certpush("certs", "list", "--json").stdout.filter { !$0.isWhitespace } == "[]")
        #expect(try certpush("resources", "list", "--json").stdout.filter { !$0.isWhitespace } == "[]")
        #expect(try certpush("regions", "--json").stdout.filter { !$0.isWhitespace } == "[]")
        let status = try certpush("status", "--json").stdout
        #expect(status.contains("\"workspace\" : \"live\"") || status.contains("\"workspace\":\"live\""), "\(status)")
        let reset = try certpush("training", "reset")
        #expect(reset.status == 2 && reset.stderr.contains("is a live workspace"))
    }

    @Test("W7: a pre-workspace database holding both says so on every command, refuses changes, and workspace split makes the two")
    func legacySplitThroughTheCLI() throws {
        func certpush(_ arguments: String...) throws -> CertpushBinary.Result { try cli(arguments, config: nil) }
        #expect(try certpush("init").status == 0)
        // Made as certpush made them before workspaces: a sandbox with a real account's resource, and no kind stored.
        let sqlite = try Shell.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("INSERT INTO resource (service, region, name, domain, parent_domain, account) VALUES ('nginx', '', 'www.example.com:443', 'www.example.com', 'example.com', 'web')")
            db.execute("DELETE FROM setting WHERE key = 'workspace.kind'")
            db.commit()
            """, cli.db])
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        let listed = try certpush("certs", "list")
        #expect(listed.status == 0)
        #expect(listed.stderr.contains("can only be read until it is split with `certpush workspace split`"))
        let refused = try certpush("certs", "rename", "c1", "renamed")
        #expect(refused.status == 2 && refused.stderr.contains("Nothing was changed"), "\(refused.stderr)")
        let split = try certpush("workspace", "split", "--to", cli.directory.path("parts"))
        #expect(split.status == 0, "\(split.stderr)")
        #expect(split.stdout.contains("The training part: \(cli.directory.path("parts"))/training.sqlite (14 certificates, 23 resources, 0 tasks)."), "\(split.stdout)")
        #expect(split.stdout.contains("The live part: \(cli.directory.path("parts"))/certpush.sqlite (0 certificates, 1 resource, 0 tasks)."))
        #expect(FileManager.default.fileExists(atPath: cli.db + ".before-split"))
        #expect(!FileManager.default.fileExists(atPath: cli.db))
    }
}
