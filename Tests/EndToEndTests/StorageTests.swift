import CertpushTestSupport
import Foundation
import GRDB
import Testing

/// SPEC 16: what storage does under the commands. F1: a command that only
/// reads leaves a live workspace's file as it was, byte for byte.
@Suite struct StorageTests {
    let cli = ConfiguredCLI()

    func digest(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func schemaVersion() throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: cli.db, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { try Int.fetchOne($0, sql: "PRAGMA schema_version") ?? -1 }
    }

    @Test("F1: every command that only reads leaves a live workspace's file byte for byte as it was, its schema version too")
    func readsNeverWrite() throws {
        try cli.initLive(config: nil, certificates: 3)
        let version = try schemaVersion(), before = try digest(cli.db)
        for arguments in Self.reads {
            let result = try cli(arguments, config: nil)
            #expect(result.status == 0 || result.status == 2, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("SQLite"), "\(arguments): \(result.stderr)")
            #expect(try digest(cli.db) == before, "certpush \(arguments.joined(separator: " ")) changed the file")
        }
        #expect(try schemaVersion() == version)
        // A change still changes it, through the same path.
        #expect(try cli(["certs", "rename", "c1", "renamed"], config: nil).status == 0)
        #expect(try cli(["certs", "show", "c1"], config: nil).stdout.contains("renamed"))
    }

    static let reads: [[String]] = [
        ["status"], ["status", "--json"], ["certs", "list"], ["certs", "list", "--json"], ["certs", "show", "c1"],
        ["certs", "show", "c2", "--json"], ["resources", "list"], ["resources", "list", "--json"], ["tasks", "list"],
        ["tasks", "list", "--json"], ["activity"], ["activity", "--json"], ["regions", "--json"], ["accounts"],
        ["push-records", "c1"], ["verify"], ["tasks", "preview", "--name", "p", "--cert", "c1", "--match", "--json"],
        ["db", "check"],
    ]

    @Test("F1: a read-only file in a read-only folder, run by a user who may write neither: every read works and leaves the bytes; a change is one sentence")
    func readOnlyFile() throws {
        var cli = ConfiguredCLI()
        cli.environment["CERTPUSH_KEYRING"] = cli.directory.path("keys/keyring")
        try cli.initLive(config: nil, certificates: 3)
        // Root writes whatever the modes say: the commands then run as nobody, the files theirs but read-only.
        let asRoot = getuid() == 0
        let setpriv = "/usr/bin/setpriv"
        if asRoot {
            #expect(FileManager.default.isExecutableFile(atPath: setpriv), "util-linux's setpriv runs the commands as nobody")
            let files = FileManager.default.enumerator(atPath: cli.directory.url.path)?.allObjects as? [String] ?? []
            for path in [cli.directory.url.path] + files.map(cli.directory.path) { chown(path, 65534, 65534) }
        }
        chmod(cli.db, 0o444)
        chmod(cli.directory.url.path, 0o555)
        defer { chmod(cli.directory.url.path, 0o755) }
        let environment = ["XDG_STATE_HOME": cli.directory.path("state"), "XDG_CONFIG_HOME": cli.directory.path("config"),
                           "CERTPUSH_KEYRING": cli.directory.path("keys/keyring")]
        func certpush(_ arguments: [String]) throws -> CertpushBinary.Result {
            let command = [CertpushBinary.url.path] + arguments + ["--db", cli.db]
            return asRoot
                ? try Shell.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups"] + command, environment: environment)
                : try Shell.run(command[0], Array(command.dropFirst()), environment: environment)
        }
        let before = try digest(cli.db)
        for arguments in Self.reads {
            let result = try certpush(arguments)
            // A preview with nothing to pair says so (exit 2) in its JSON: a read all the same.
            let answered = result.status == 0 || (arguments.contains("preview") && result.stdout.contains("\"problems\""))
            #expect(answered && result.stderr.isEmpty, "\(arguments): \(result.status) \(result.stderr)")
            #expect(try digest(cli.db) == before, "certpush \(arguments.joined(separator: " ")) changed the file")
        }
        #expect(!FileManager.default.fileExists(atPath: cli.db + "-wal") && !FileManager.default.fileExists(atPath: cli.db + "-shm"))
        let change = try certpush(["certs", "rename", "c1", "renamed"])
        #expect(change.status == 2 && change.stderr.contains("cannot be written"), "\(change.stderr)")
        #expect(change.stderr.split(separator: "\n").count == 1)
        #expect(try digest(cli.db) == before)
    }

    /// Each table's root page, and the page size, read from the file as SQLite keeps them.
    func tablePages(_ path: String) throws -> (pageSize: Int, tables: [(name: String, page: Int)]) {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096,
             try Row.fetchAll(db, sql: "SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND rootpage > 1 ORDER BY name")
                .map { (try $0.decode(String.self, atIndex: 0), try $0.decode(Int.self, atIndex: 1)) })
        }
    }

    @Test("F2, F6: a page of any table damaged: every command exits 0, 1 or 2 with sentences, never a signal and never SQLite's own text")
    func damagedDatabases() throws {
        #expect(try cli(["init"], config: nil).status == 0)
        #expect(try cli(["tasks", "create", "--name", "before", "--cert", "c10", "--match"], config: nil).status != 2)
        // Make sure everything is in the file itself, not in its WAL.
        // No free page left in the file, so that a change must make it grow.
        let writer = try DatabaseQueue(path: cli.db)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.checkpoint(.truncate)
        }
        try writer.close()
        let original = try Data(contentsOf: URL(fileURLWithPath: cli.db))
        let (pageSize, tables) = try tablePages(cli.db)
        #expect(tables.count >= 10)
        let commands: [[String]] = [
            ["status"], ["certs", "list", "--json"], ["certs", "show", "c1", "--json"], ["resources", "list", "--json"],
            ["tasks", "list", "--json"], ["tasks", "show", "t1", "--json"], ["activity", "--json"],
            ["tasks", "create", "--name", "after", "--cert", "c10", "--match"], ["certs", "rename", "c1", "renamed"],
            ["certs", "import", "--cert", Fixtures.url("rsa-4096.crt.pem").path], ["tasks", "run-due"],
        ]
        for (table, page) in tables {
            // The page's cells, overwritten with bytes no SQLite writes there.
            var damaged = original
            let start = (page - 1) * pageSize + pageSize / 2
            guard start + 64 <= damaged.count else { continue }
            damaged.replaceSubrange(start..<start + 64, with: Data(repeating: 0xA5, count: 64))
            try damaged.write(to: URL(fileURLWithPath: cli.db))
            for leftover in ["-wal", "-shm", ".damaged"] { try? FileManager.default.removeItem(atPath: cli.db + leftover) }
            for arguments in commands {
                let before = try digest(cli.db)
                let result = try cli(arguments, config: nil)
                let said = "\(table): certpush \(arguments.joined(separator: " ")) → \(result.status) \(result.stderr)"
                if result.status == 2 { #expect(try digest(cli.db) == before, "refused, yet the file changed: \(said)") }
                #expect([0, 1, 2].contains(result.status), "\(said)")
                #expect(!result.stderr.contains("SQLite error") && !result.stderr.contains("Fatal error") && !result.stderr.contains(".swift:"), "\(said)")
                #expect(!result.stdout.contains("SQLite error"), "\(said)")
                if result.status == 2 { #expect(result.stderr.split(separator: "\n").count == 1, "\(said)") }
            }
            // Once a command met the damage, no command changes the file (F2).
            if FileManager.default.fileExists(atPath: cli.db + ".damaged") {
                let before = try digest(cli.db)
                let change = try cli(["tasks", "create", "--name", "later", "--cert", "c10", "--match"], config: nil)
                #expect(change.status == 2 && change.stderr.contains("is damaged"), "\(table): \(change.stderr)")
                #expect(try digest(cli.db) == before, "\(table): a change went into a file known to be damaged")
            }
        }
    }

    @Test("F2: damage a command met is remembered: no change goes in until db check finds the file sound again")
    func damageIsRemembered() throws {
        #expect(try cli(["init"], config: nil).status == 0)
        let writer = try DatabaseQueue(path: cli.db)
        try writer.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try writer.close()
        let original = try digest(cli.db)
        let (pageSize, tables) = try tablePages(cli.db)
        let page = try #require(tables.first { $0.name == "certificate" }?.page)
        var bytes = original
        bytes.replaceSubrange((page - 1) * pageSize + 8..<(page - 1) * pageSize + 72, with: Data(repeating: 0xA5, count: 64))
        try bytes.write(to: URL(fileURLWithPath: cli.db))

        // Reading the certificates meets the damage; from then on no change goes in.
        let read = try cli(["certs", "list"], config: nil)
        #expect(read.status == 2 && read.stderr.contains("is damaged") && read.stderr.contains("db check"), "\(read.stderr)")
        let change = try cli(["tasks", "create", "--name", "n", "--cert", "c1", "--resource", "r1"], config: nil)
        #expect(change.status == 2 && change.stderr.contains("is damaged"), "\(change.stderr)")
        #expect(try digest(cli.db) == bytes)

        // Restored from a good copy: db check finds it sound, and changes go in again.
        #expect(try cli(["db", "check"], config: nil).status == 1)
        try original.write(to: URL(fileURLWithPath: cli.db))
        #expect(try cli(["tasks", "create", "--name", "n", "--cert", "c1", "--resource", "r1"], config: nil).status == 2, "still marked")
        let check = try cli(["db", "check"], config: nil)
        #expect(check.status == 0, "\(check.stdout)")
        #expect(!FileManager.default.fileExists(atPath: cli.db + ".damaged"))
        let rename = try cli(["certs", "rename", "c1", "restored"], config: nil)
        #expect(rename.status == 0, "\(rename.stderr)")
    }

    @Test("F4: a missing keyring is a sentence naming where it was looked for, and is never replaced; F3: an empty file is not a workspace")
    func missingKeyring() throws {
        let keyring = cli.directory.path("keys/keyring")
        func certpush(_ arguments: String...) throws -> CertpushBinary.Result {
            try CertpushBinary.run(Array(arguments), environment: [
                "XDG_STATE_HOME": cli.directory.path("state"), "XDG_CONFIG_HOME": cli.directory.path("config"),
                "XDG_DATA_HOME": cli.directory.path("data"), "CERTPUSH_KEYRING": keyring])
        }
        #expect(try certpush("init", "--db", cli.db).status == 0)
        try #require(FileManager.default.fileExists(atPath: keyring), "init made no keyring at CERTPUSH_KEYRING")
        try FileManager.default.moveItem(atPath: keyring, toPath: keyring + ".away")
        let before = try digest(cli.db)
        for arguments in [["certs", "list"], ["certs", "rename", "c1", "x"], ["status"]] {
            let refused = try CertpushBinary.run(arguments + ["--db", cli.db], environment: [
                "XDG_STATE_HOME": cli.directory.path("state"), "XDG_CONFIG_HOME": cli.directory.path("config"), "CERTPUSH_KEYRING": keyring])
            #expect(refused.status == 2, "\(arguments): \(refused.stdout)")
            #expect(refused.stderr.contains("The keyring \(keyring) cannot be used: there is no keyring there"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: keyring), "certpush \(arguments) made a new keyring")
        }
        #expect(try digest(cli.db) == before)
        try FileManager.default.moveItem(atPath: keyring + ".away", toPath: keyring)
        #expect(try certpush("certs", "list", "--db", cli.db).status == 0)

        // What an init cut short by a full disk leaves: an empty file. Reading it makes nothing.
        let empty = cli.directory.path("empty.sqlite")
        FileManager.default.createFile(atPath: empty, contents: Data())
        let listed = try certpush("certs", "list", "--db", empty)
        #expect(listed.status == 2, "\(listed.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
    }

    @Test("F3: a full disk (SQLite's SQLITE_FULL, the file kept from growing) is one sentence naming the file; init leaves no file, nor keyring; a change leaves the file as it was")
    func fullDisk() throws {
        func certpush(_ arguments: [String], pages: Int) throws -> CertpushBinary.Result {
            try CertpushBinary.run(arguments + ["--db", cli.db], environment: [
                "XDG_STATE_HOME": cli.directory.path("state"), "XDG_CONFIG_HOME": cli.directory.path("config"),
                "CERTPUSH_KEYRING": cli.directory.path("keyring"), "CERTPUSH_MAX_PAGES": String(pages)])
        }
        let refused = try certpush(["init"], pages: 8)
        #expect(refused.status == 2, "\(refused.stdout)")
        #expect(refused.stderr.contains("The disk holding \(cli.db) is full: nothing was changed"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        for suffix in ["", "-wal", "-shm"] { #expect(!FileManager.default.fileExists(atPath: cli.db + suffix), "init left \(cli.db + suffix)") }
        #expect(!FileManager.default.fileExists(atPath: cli.directory.path("keyring")), "init left the keyring it made for the database it could not make")

        #expect(try certpush(["init"], pages: 1_000_000).status == 0)
        // No free page left in the file, so that a change must make it grow.
        let writer = try DatabaseQueue(path: cli.db)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.checkpoint(.truncate)
        }
        let pages = try writer.read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
        try writer.close()
        let before = try digest(cli.db)
        let full = try certpush(["tasks", "create", "--name", "big", "--cert", "c2", "--match"], pages: pages)
        #expect(full.status == 2, "\(full.stdout)")
        #expect(full.stderr.contains("is full: nothing was changed"), "\(full.stderr)")
        #expect(!full.stderr.contains("SQLite error"))
        let reader = try DatabaseQueue(path: cli.db)
        try reader.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try reader.close()
        #expect(try digest(cli.db) == before, "a change refused for a full disk changed the file")
        // Reading works on a full disk (F1): a training workspace too, whose exercise marks (E3) wait for room.
        for arguments in [["certs", "list"], ["certs", "show", "c1"], ["status"]] {
            let read = try certpush(arguments, pages: pages)
            #expect(read.status == 0, "\(arguments): \(read.stderr)")
        }
        let live = cli.directory.path("live.sqlite")
        let env = ["XDG_STATE_HOME": cli.directory.path("state"), "XDG_CONFIG_HOME": cli.directory.path("config"),
                   "CERTPUSH_KEYRING": cli.directory.path("keyring")]
        #expect(try CertpushBinary.run(["init", "--live", "--db", live], environment: env).status == 0)
        let livePages = try DatabaseQueue(path: live).read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
        let read = try CertpushBinary.run(["certs", "list", "--db", live], environment: env.merging(["CERTPUSH_MAX_PAGES": String(livePages)]) { $1 })
        #expect(read.status == 0, "\(read.stderr)")
    }

    @Test("a private key pasted as an argument is refused and never shown back (issue 21)")
    func keyOnTheCommandLine() throws {
        #expect(try cli(["init"], config: nil).status == 0)
        let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
        for arguments in [["certs", "show", pem], ["certs", "show", "c1", "--json", pem], ["push", pem]] {
            let refused = try cli(arguments, config: nil)
            #expect(refused.status == 2)
            #expect(!(refused.stdout + refused.stderr).contains("MIIEvQ"), "\(arguments.first ?? ""): \(refused.stderr)")
            #expect(refused.stderr.contains("an argument holds a private key"))
        }
    }

    @Test("F5: db check says sound or lists each problem (exit 1); db backup copies while other processes write, and the copy opens with the same keyring")
    func checkAndBackup() throws {
        #expect(try cli(["init"], config: nil).status == 0)
        let sound = try cli(["db", "check"], config: nil)
        #expect(sound.status == 0 && sound.stdout.contains("sound"), "\(sound.stdout)\(sound.stderr)")

        // Writers at work while the backup is made.
        let writers = try (1...3).map { try cli.spawn(["tasks", "create", "--name", "during \($0)", "--cert", "c10", "--match"], config: nil) }
        let copy = cli.directory.path("backup.sqlite")
        let backup = try cli(["db", "backup", copy], config: nil)
        for pid in writers { var status: Int32 = 0; waitpid(pid, &status, 0) }
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(try cli(["db", "backup", copy], config: nil).status == 2, "a backup over an existing file")
        let listed = try CertpushBinary.run(["certs", "list", "--json", "--db", copy], environment: [
            "XDG_STATE_HOME": cli.directory.path("state"), "XDG_CONFIG_HOME": cli.directory.path("config")])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(try cli(["certs", "list", "--json"], config: nil).stdout == listed.stdout)
        let checked = try CertpushBinary.run(["db", "check", "--db", copy], environment: ["XDG_STATE_HOME": cli.directory.path("state")])
        #expect(checked.status == 0, "\(checked.stdout)")

        // Damaged: each problem a line, exit 1, and the damaged file's sentence names db check.
        let writer = try DatabaseQueue(path: cli.db)
        try writer.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try writer.close()
        let (pageSize, tables) = try tablePages(cli.db)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: cli.db))
        let page = try #require(tables.first { $0.name == "certificate" }?.page)
        bytes.replaceSubrange((page - 1) * pageSize + 8..<(page - 1) * pageSize + 72, with: Data(repeating: 0xA5, count: 64))
        try bytes.write(to: URL(fileURLWithPath: cli.db))
        let damaged = try cli(["db", "check"], config: nil)
        #expect(damaged.status == 1, "\(damaged.stdout)")
        #expect(!damaged.stdout.isEmpty && !damaged.stdout.contains("sound"))
    }

    @Test("T2: status names each running task's runner, its host and process, and until when its lease holds")
    func statusNamesRunners() throws {
        #expect(try cli(["init"], config: nil).status == 0)
        let made = try cli(["tasks", "create", "--name", "later", "--cert", "c2", "--match", "--at", "2099-01-01T00:00:00Z"], config: nil)
        #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
        let queue = try DatabaseQueue(path: cli.db)
        try queue.write { db in
            try db.execute(sql: """
                UPDATE task SET status = 'running', runner_pid = 4242, runner_host = 'bastion-b', lease_until = 4102444800 WHERE id = 1
                """)
        }
        try queue.close()
        let shown = try cli(["status"], config: nil)
        #expect(shown.stdout.contains("Tasks: 0 queued, 1 running."), "\(shown.stdout)")
        #expect(shown.stdout.contains("t1 runs on bastion-b (process 4242); its lease holds until 2100-01-01 00:00 UTC unless renewed."), "\(shown.stdout)")
        let json = try cli(["status", "--json"], config: nil)
        let runners = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["runners"] as? [[String: Any]]
        #expect(runners?.first?["host"] as? String == "bastion-b" && runners?.first?["process"] as? Int == 4242, "\(json.stdout)")
    }
}
