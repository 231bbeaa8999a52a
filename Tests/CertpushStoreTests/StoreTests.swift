import CertpushCore
import CertpushSandbox
import CertpushSetup
@testable import CertpushStore
import CertpushTestSupport
import Foundation
import GRDB
import Testing

@Suite struct StoreTests {
    @Test("a new database is created with mode 0600")
    func fileMode() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("nested/folder/certpush.sqlite")
        let opened = try SQLiteStore.open(path: path, vault: testVault)
        #expect(opened.created)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try SQLiteStore.open(path: path, vault: testVault).created == false)
    }

    @Test("a file that is not a database is refused and left untouched")
    func notADatabase() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("notes.sqlite")
        let content = Data("These are my notes, not a database.\n".utf8)
        try content.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError(path: path, reason: .notADatabase)) { try SQLiteStore.open(path: path, vault: testVault) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("another application's SQLite database is refused, byte for byte untouched, its journal mode kept")
    func foreignDatabase() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("foreign.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE invoice (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoice (total) VALUES (9.5)") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: StoreError(path: path, reason: .foreign)) { try SQLiteStore.open(path: path, vault: testVault) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("a missing database is created only when asked; folders, devices and dangling links get their own sentence")
    func whatStandsAtThePath() throws {
        let directory = TemporaryDirectory()
        let missing = directory.path("new/folder/db.sqlite")
        #expect(throws: StoreError(path: missing, reason: .missing)) { try SQLiteStore.open(path: missing, create: false, vault: testVault) }
        #expect(!FileManager.default.fileExists(atPath: directory.path("new")))
        #expect(throws: StoreError(path: directory.url.path, reason: .cannotOpen("it is a folder"))) { try SQLiteStore.open(path: directory.url.path, vault: testVault) }
        let link = directory.path("link.sqlite")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory.path("gone.sqlite"))
        #expect(throws: StoreError(path: link, reason: .cannotOpen("it is a symbolic link to \(directory.path("gone.sqlite")), which does not exist"))) {
            try SQLiteStore.open(path: link, vault: testVault)
        }
        #expect(throws: StoreError(path: "/dev/null", reason: .cannotOpen("it is not a regular file"))) { try SQLiteStore.open(path: "/dev/null", vault: testVault) }
    }

    @Test("a database from a newer schema is refused and left untouched")
    func newerSchema() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("future.sqlite")
        _ = try SQLiteStore.open(path: path, vault: testVault)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: StoreError(path: path, reason: .newerSchema)) { try SQLiteStore.open(path: path, vault: testVault) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("the database runs in WAL mode with foreign keys on")
    func walMode() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("wal.sqlite")
        _ = try SQLiteStore.open(path: path, vault: testVault)
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    @Test("a write that throws leaves nothing behind", arguments: Backend.all)
    func rollback(_ backend: Backend) throws {
        let store = try makeTestStore(backend)
        struct Boom: Error {}
        let draft = try CertificateImporter.draft(ImportRequest(certificate: Fixtures.file("rsa-www.crt.pem")), now: testNow)
        #expect(throws: Boom.self) {
            try store.write { db in
                _ = try db.insert(draft)
                try db.append(ActivityEntry(at: testNow, user: "u", action: "a", subject: "s"))
                throw Boom()
            }
        }
        #expect(try store.read { try $0.certificateListing() }.entries.isEmpty)
        #expect(try store.read { try $0.activity(limit: 10) }.isEmpty)
    }

    @Test("queries filter by source, text and expiry, newest first, a window at a time", arguments: Backend.all)
    func queries(_ backend: Backend) throws {
        let service = try makeTestService(store: makeTestStore(backend))
        for name in ["rsa-www.crt.pem", "ecdsa-wildcard.crt.pem", "rsa-multi-san.crt.pem", "expired.crt.pem"] {
            try service.importCertificate(ImportRequest(certificate: Fixtures.file(name)))
        }
        #expect(try service.count(CertificateQuery()) == 4)
        #expect(try service.list(CertificateQuery(), offset: 1, limit: 2).map(\.id.rawValue) == [3, 2])
        #expect(try service.count(CertificateQuery(text: "EXAMPLE.ORG")) == 1)
        #expect(try service.count(CertificateQuery(text: "c2")) == 1)
        #expect(try service.count(CertificateQuery(source: .official)) == 0)
        let year = 365 * 86_400.0
        #expect(try service.count(CertificateQuery(expiring: testNow..<testNow.addingTimeInterval(30 * year))) == 3)
        #expect(try service.count(CertificateQuery(expiring: testNow..<testNow.addingTimeInterval(86_400))) == 0)
        let all = try service.list(CertificateQuery())
        #expect(all.first { $0.domains.contains("example.com") }?.domains == ["*.example.com", "example.com"])
    }

    @Test("the private key is kept in its own table, and deleting the certificate deletes it")
    func keysApart() throws {
        let directory = TemporaryDirectory()
        let store = try makeTestStore(in: directory)
        let service = try makeTestService(store: store)
        let stored = try service.importCertificate(ImportRequest(certificate: Fixtures.file("rsa-www.crt.pem"), key: Fixtures.file("rsa-www.key.pem")))
        let queue = try DatabaseQueue(path: directory.path("certpush.sqlite"))
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM private_key") } == 1)
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM certificate_material WHERE certificate_pem || chain_pem LIKE '%PRIVATE KEY%'") } == 0)
        try service.delete(stored.id)
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM private_key") } == 0)
    }

    @Test("several processes' worth of writers share one database without 'database is locked'", arguments: Backend.all)
    func concurrentWriters(_ backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let location = try backend.newLocation(in: directory)
        let stores = try (0..<4).map { _ in try openTestStore(at: location) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    for n in 0..<50 {
                        try store.write { db in
                            try db.append(ActivityEntry(at: testNow, user: "writer\(index)", action: "test", subject: "\(n)"))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try stores[0].read { try $0.activity(limit: 1_000) }.count == 200)
    }
}

@Suite struct SandboxSeedTests {
    @Test("the seeded sandbox shows every rule of SPEC 6")
    func trainingGround() throws {
        let directory = TemporaryDirectory()
        let workspace = try Workspace.open(path: directory.path("sandbox.sqlite"), time: ManualTime(testNow), user: "trainer")
        let all = try workspace.certificates.list(CertificateQuery())
        #expect((10...16).contains(all.count))
        #expect(all.contains { $0.family == .sm && $0.keyAlgorithm == .sm2 })
        #expect(all.contains { $0.status(at: testNow) == .expired })
        #expect(all.contains { $0.status(at: testNow) == .pending })
        #expect(all.contains { $0.manualCSR && !$0.hasPrivateKey })
        #expect(all.contains { $0.name.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } })
        #expect(all.contains { $0.source == .uploaded && $0.shared })
        #expect(all.contains { $0.source == .uploaded && !$0.shared })
        #expect(all.contains { $0.source == .official && $0.status(at: testNow) == .issued })
        let policy = ExpiryPolicy()
        #expect(all.contains { policy.urgency(notAfter: $0.notAfter, now: testNow) == .warning })
        #expect(all.contains { $0.status(at: testNow) == .issued && policy.urgency(notAfter: $0.notAfter, now: testNow) == .critical })
        #expect(try workspace.certificates.activity(limit: 5).first?.action == "sandbox.seed")
    }

    @Test("official sandbox certificates are real X.509 issued by the sandbox CA")
    func realCertificates() throws {
        let directory = TemporaryDirectory()
        let workspace = try Workspace.open(path: directory.path("sandbox.sqlite"), time: ManualTime(testNow), user: "trainer")
        let official = try workspace.certificates.list(CertificateQuery(source: .official)).filter { $0.lifecycle == .issued }
        #expect(!official.isEmpty)
        for certificate in official {
            #expect(certificate.issuer.contains("certpush Sandbox CA"))
            let reparsed = try CertificateImporter.draft(
                ImportRequest(certificate: InputFile(name: "x", bytes: Array(certificate.certificatePEM!.utf8))), now: testNow)
            #expect(reparsed.certificate.fingerprint == certificate.fingerprint)
        }
    }

    @Test("init --live makes a database with no certificates")
    func empty() throws {
        let directory = TemporaryDirectory()
        let workspace = try Workspace.open(path: directory.path("empty.sqlite"), kind: .live, time: ManualTime(testNow), user: "u")
        #expect(try workspace.certificates.count(CertificateQuery()) == 0)
        let reopened = try Workspace.open(path: directory.path("empty.sqlite"), time: ManualTime(testNow), user: "u")
        #expect(!reopened.created)
        #expect(try reopened.certificates.count(CertificateQuery()) == 0)
    }
}

@Suite struct SetupTests {
    @Test("the database path: --db, then CERTPUSH_DB, then XDG_DATA_HOME, then ~/.local/share (W3: training.sqlite while no live one exists)")
    func databasePath() {
        let home = ["HOME": "/nonexistent/ann"]
        #expect(Paths(environment: home).database() == "/nonexistent/ann/.local/share/certpush/training.sqlite")
        #expect(Paths(environment: home.merging(["XDG_DATA_HOME": "/data"]) { $1 }).database() == "/data/certpush/training.sqlite")
        #expect(Paths(environment: home.merging(["CERTPUSH_DB": "/x.sqlite"]) { $1 }).database() == "/x.sqlite")
        #expect(Paths(environment: home.merging(["CERTPUSH_DB": "/x.sqlite"]) { $1 }).database(explicit: "~/y.sqlite") == "/nonexistent/ann/y.sqlite")
        #expect(Paths(environment: home).configFile == "/nonexistent/ann/.config/certpush/config.toml")
        #expect(Paths(environment: home.merging(["XDG_STATE_HOME": "/state"]) { $1 }).logFile == "/state/certpush/certpush.log")
    }

    @Test("config: a missing file means defaults; settings are read; a broken one names its line")
    func config() throws {
        #expect(try Config.load(path: "/nonexistent/config.toml") == Config())
        let config = try Config.parse("theme = \"dark\"\nnotify_command = \"mail -s certpush ops\"\nexpiry_warning_days = 45\n", path: "c.toml")
        #expect(config == Config(theme: "dark", notifyCommand: "mail -s certpush ops", expiryWarningDays: 45))
        #expect(config.expiryPolicy.warningDays == 45)
        do {
            _ = try Config.parse("theme = \"dark\"\nexpiry_warning_days = = 3\n", path: "c.toml")
            Issue.record("parsed")
        } catch let error as ConfigError {
            #expect(error.sentence.hasPrefix("The config file c.toml is broken: line 2"))
        }
        #expect(throws: ConfigError.self) { try Config.parse("colour = \"red\"", path: "c.toml") }
        #expect(throws: ConfigError.self) { try Config.parse("expiry_warning_days = \"soon\"", path: "c.toml") }
    }

    @Test("accounts: [accounts.NAME] tables of each kind are read in the file's order; a bad one names its line and says what is wrong")
    func accounts() throws {
        let text = """
            theme = "dark"

            [accounts.web]                  # servers over SSH
            kind = "servers"
            [[accounts.web.hosts]]
            name = "web1"
            ssh = "deploy@web1.example.com"
            server = "nginx"
            command = "sudo nginx"
            [[accounts.web.hosts]]
            name = "lb"
            ssh = "local"
            server = "haproxy"

            [accounts.hw-prod]
            kind = "huaweicloud"
            access_key_env = "HW_AK"
            secret_key_env = "HW_SK"
            regions = ["cn-north-4"]
            endpoint = "http://127.0.0.1:8080"
            """
        let config = try Config.parse(text, path: "c.toml")
        #expect(config.accounts.map(\.name) == ["web", "hw-prod"])
        #expect(config.accounts[0].hosts == [ServerHost(name: "web1", ssh: "deploy@web1.example.com", server: .nginx, command: "sudo nginx"),
                                             ServerHost(name: "lb", ssh: "local", server: .haproxy)])
        #expect(config.accounts[1].credentialNames == ["access_key_env": "HW_AK", "secret_key_env": "HW_SK"])
        #expect(config.accounts[1].regions == ["cn-north-4"])
        func problem(_ text: String) -> String {
            do {
                _ = try Config.parse(text, path: "c.toml")
                return "parsed"
            } catch let error as ConfigError { return error.sentence } catch { return "\(error)" }
        }
        #expect(problem("\n[accounts.web]\nkind = \"ftp\"\n")
            == "The config file c.toml is broken: line 2 ([accounts.web]): kind \"ftp\" is not one of sandbox, servers, huaweicloud, alibabacloud.")
        #expect(problem("[accounts.web]\nkind = \"servers\"\n[[accounts.web.hosts]]\nname = \"a\"\nssh = \"local\"\nserver = \"nginx\"\n[[accounts.web.hosts]]\nname = \"b\"\nssh = \"local\"\nserver = \"iis\"\n")
            == "The config file c.toml is broken: line 7 ([[accounts.web.hosts]]): server must be one of nginx, haproxy, apache.")
        #expect(problem("[accounts.web]\nkind = \"servers\"\n").contains("line 1 ([accounts.web]): a servers account needs at least one"))
        #expect(problem("[accounts.ali]\nkind = \"alibabacloud\"\naccess_key_id_env = \"A\"\n").contains("access_key_secret_env is missing"))
        #expect(problem("[accounts.ali]\nkind = \"alibabacloud\"\naccess_key_id_env = \"A\"\naccess_key_secret_env = \"B\"\nendpoint = \"http://cas.example.com\"\n")
            .contains("only a loopback address may be"))
        #expect(problem("[accounts.hw]\nkind = \"huaweicloud\"\naccess_key_env = \"A\"\nsecret_key_env = \"B\"\nsecret_key = \"oops\"\n")
            .contains("secret_key is not a setting here"))
        #expect(problem("[accounts.hw]\nkind = \"huaweicloud\"\naccess_key_env = \"A\"\nsecret_key_env = \"B\"\ntimeout = 0.5\n")
            .contains("timeout must be a number of seconds from 1 to 3600"))
        #expect(problem("[accounts.hw]\nkind = \"huaweicloud\"\naccess_key_env = \"A\"\nsecret_key_env = \"B\"\npoll_interval = 1\n")
            .contains("poll_interval is not a setting here"))
        let timed = try Config.parse("[accounts.ali]\nkind = \"alibabacloud\"\naccess_key_id_env = \"A\"\naccess_key_secret_env = \"B\"\ntimeout = 5\npoll_interval = 0.5\n", path: "c.toml")
        #expect(timed.accounts.first?.timeLimit == 5 && timed.accounts.first?.pollInterval == 0.5)
        // S11: parallel, hosts at once; 10 unless set.
        let host = "[[accounts.web.hosts]]\nname = \"a\"\nssh = \"local\"\nserver = \"nginx\"\n"
        #expect(try Config.parse("[accounts.web]\nkind = \"servers\"\n" + host, path: "c.toml").accounts.first?.parallel == 10)
        #expect(try Config.parse("[accounts.web]\nkind = \"servers\"\nparallel = 3\n" + host, path: "c.toml").accounts.first?.parallel == 3)
        #expect(problem("[accounts.web]\nkind = \"servers\"\nparallel = 0\n" + host).contains("parallel must be a whole number of hosts from 1 to 100"))
        #expect(try Config.parse("[accounts.web]\nkind = \"servers\"\ncanary = 2\n" + host, path: "c.toml").accounts.first?.canary == 2)
        #expect(problem("[accounts.web]\nkind = \"servers\"\ncanary = -1\n" + host).contains("canary must be a whole number of hosts"))
        // S12: a host's connect_timeout.
        #expect(try Config.parse("[accounts.web]\nkind = \"servers\"\n" + host + "connect_timeout = 7\n", path: "c.toml").accounts.first?.hosts.first?.connectTimeout == 7)
        #expect(problem("[accounts.web]\nkind = \"servers\"\n" + host + "connect_timeout = \"soon\"\n").contains("connect_timeout must be a whole number of seconds"))
        #expect(problem("[accounts.sandbox]\nkind = \"servers\"\n").contains("is the training sandbox's name"))
        #expect(problem("[accounts.\"my web\"]\nkind = \"sandbox\"\n").contains("is not an account name"))
    }

    @Test("a file the user names that cannot be read is one sentence naming it")
    func unreadable() {
        #expect(throws: Refusal("missing.pem cannot be read: there is no such file.")) { try InputFile.load(path: "/nowhere/missing.pem") }
        #expect(throws: Refusal("tmp cannot be read: it is a folder.")) { try InputFile.load(path: "/tmp") }
        #expect(throws: Refusal("zero cannot be read: it is not a regular file.")) { try InputFile.load(path: "/dev/zero") }
    }
}

/// What the certificate list's first frame reads instead of the index: a count and one page, newest first.
@Suite struct UnfilteredPageTests {
    @Test("count and pages of the unfiltered list agree with the index, newest first, and a page past the end is empty", arguments: Backend.all)
    func pagesAgreeWithTheIndex(_ backend: Backend) throws {
        let fixture = try SandboxFixture(backend: backend)
        let certificates = fixture.certificates
        let all = try certificates.index().matching(CertificateQuery())
        #expect(try certificates.count() == all.count)
        #expect(try certificates.ids(offset: 0, limit: 5) == Array(all.prefix(5)))
        #expect(try certificates.ids(offset: 5, limit: 5) == Array(all.dropFirst(5).prefix(5)))
        #expect(try certificates.ids(offset: all.count, limit: 5).isEmpty)
        #expect(all.map(\.rawValue) == all.map(\.rawValue).sorted(by: >))
    }

    @Test("the streamed listing carries each certificate's chain length and never its PEMs", arguments: Backend.all)
    func listingWithoutPEMs(_ backend: Backend) throws {
        let fixture = try SandboxFixture(backend: backend)
        _ = try fixture.certificates.importCertificate(ImportRequest(
            certificate: Fixtures.file("chain-fullchain.pem"), key: Fixtures.file("chain-leaf.key.pem")))
        var seen: [(Certificate, Int)] = []
        try fixture.certificates.forEach { seen.append(($0, $1)) }
        #expect(seen.count == (try fixture.certificates.count()))
        for (listed, chainLength) in seen {
            let full = try fixture.certificates.certificate(listed.id)
            #expect(chainLength == full.chainPEM.count, "\(listed.id)")
            #expect(listed.certificatePEM == nil && listed.chainPEM.isEmpty)
        }
        #expect(seen.contains { $0.1 > 0 }, "no certificate with a chain to count")
    }
}
