import CertpushCore
import CertpushPostgres
import CertpushStore
import CertpushTestSupport
import Foundation
import GRDB
import PostgresNIO
import Testing

/// T5: `db copy --to URL` moves a live workspace from its SQLite file into
/// PostgreSQL, ids, history and sealed keys as they were.
extension CloudAccountTests {
    @Test("T5: db copy --to moves a live workspace with pushes, a CAS task and its history into PostgreSQL, every row as it was; a second copy is refused")
    func copyIntoPostgres() throws {
        defer { scm.stop(); cas.stop() }
        let cluster = try PostgresFixture()
        defer { cluster.stop() }
        let (www, statics) = try { () throws -> (String, String) in
            let ids = try syncedAlibaba("www.example.com", "static.example.com")
            return (ids[0], ids[1])
        }()
        #expect(try certpush("push", "c1", "--account", "hw", "--service", "waf", "--region", "ap-southeast-1").status == 0)
        let task = try certpush("tasks", "create", "--name", "to copy", "--cert", "c2", "--resource", www, "--resource", statics)
        #expect(task.status == 0, "\(task.stdout)\(task.stderr)")

        let copied = try certpush("db", "copy", "--to", cluster.url)
        #expect(copied.status == 0, "\(copied.stdout)\(copied.stderr)")
        #expect(copied.stdout.contains("into postgresql://certpush@127.0.0.1:\(cluster.port)/certpush: 8 certificates, 3 resources, 1 task, 1 push record"),
                "\(copied.stdout)")

        // Every table, row for row: what SQLite holds is what PostgreSQL holds now.
        let link = try PostgresLink(try PostgresLocation(url: cluster.url))
        let here = try Self.rowsByTable { try DatabaseMaintenance.export(path: cli.db, $0) }
        let there = try Self.rowsByTable { try PostgresCopy.exportWorkspace(from: link, opensCheck: { _ in true }, $0) }
        #expect(here.count >= 20)
        #expect(there.keys.sorted() == here.keys.sorted())
        for table in here.keys.sorted() {
            #expect(there[table]?.sorted() == here[table]?.sorted(), "\(table)")
        }
        // The tallies were made again from the rows, and ids go on after the ones copied.
        let tally = try link.execute("SELECT sum(count)::bigint FROM resource_tally").first?.decode(Int64.self)
        #expect(tally == 3)
        let pairsQuery = "SELECT task_id, service, status, count, first_pair FROM task_pair_tally WHERE count > 0 ORDER BY task_id, service, status"
        let sqlitePairs = try DatabaseQueue(path: cli.db).read { db in
            try Row.fetchAll(db, sql: pairsQuery).map { row -> String in "\(row[0] as Int64) \(row[1] as String) \(row[2] as String) \(row[3] as Int64) \(row[4] as Int64)" }
        }
        let postgresPairs = try link.execute(PostgresQuery(unsafeSQL: pairsQuery)).map { row -> String in
            let (task, service, status, count, first) = try row.decode((Int64, String, String, Int64, Int64).self)
            return "\(task) \(service) \(status) \(count) \(first)"
        }
        #expect(!postgresPairs.isEmpty && postgresPairs == sqlitePairs)
        let next = try link.execute("INSERT INTO activity (at, \"user\", action, subject, detail) VALUES (0, 'u', 'a', 's', 'd') RETURNING id")
            .first?.decode(Int64.self)
        let last = try link.execute("SELECT max(id) FROM activity WHERE action <> 'a'").first?.decode(Int64.self)
        #expect(next == (last ?? 0) + 1)
        try link.execute("DELETE FROM activity WHERE action = 'a'")

        // And back, into a new file: every row as in the first, and it opens as the workspace it was.
        let back = cli.directory.path("back.sqlite")
        let environment = try cli.prepare(config)
        let returned = try CertpushBinary.run(["--db", cluster.url, "db", "copy", "--to", back], environment: environment)
        #expect(returned.status == 0, "\(returned.stdout)\(returned.stderr)")
        #expect(returned.stdout.contains("Copied postgresql://certpush@127.0.0.1:\(cluster.port)/certpush into \(back): 8 certificates"), "\(returned.stdout)")
        let copy = try Self.rowsByTable { try DatabaseMaintenance.export(path: back, $0) }
        #expect(copy.keys.sorted() == here.keys.sorted())
        for table in here.keys.sorted() {
            #expect(copy[table] == here[table], "\(table)")
        }
        let shown = try CertpushBinary.run(["--db", back, "tasks", "show", "t1"], environment: environment)
        #expect(shown.status == 0 && shown.stdout.contains("to copy"), "\(shown.stdout)\(shown.stderr)")
        #expect(try CertpushBinary.run(["--db", back, "status"], environment: environment).stdout.contains("LIVE"))
        // The copy is the team's workspace: every command opens it there (T1).
        let shownThere = try CertpushBinary.run(["--db", cluster.url, "tasks", "show", "t1"], environment: environment)
        #expect(shownThere.status == 0 && shownThere.stdout.contains("to copy"), "\(shownThere.stdout)\(shownThere.stderr)")

        // With another keyring, nothing is copied back and no file is left.
        var stranger = environment
        stranger["CERTPUSH_KEYRING"] = cli.directory.path("other-keyring")
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString().write(toFile: cli.directory.path("other-keyring"), atomically: true, encoding: .utf8)
        chmod(cli.directory.path("other-keyring"), 0o600)
        let refused = try CertpushBinary.run(["--db", cluster.url, "db", "copy", "--to", cli.directory.path("stranger.sqlite")], environment: stranger)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("is not the one the workspace in PostgreSQL"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.directory.path("stranger.sqlite")))
        // T4: a bastion with another keyring reads the team's workspace, and changes nothing.
        let read = try CertpushBinary.run(["--db", cluster.url, "certs", "list"], environment: stranger)
        #expect(read.status == 0 && read.stdout.contains("c1"), "\(read.stdout)\(read.stderr)")
        let rename = try CertpushBinary.run(["--db", cluster.url, "certs", "rename", "c1", "stolen"], environment: stranger)
        #expect(rename.status == 2 && rename.stderr.contains("is not the one the workspace in PostgreSQL"), "\(rename.stdout)\(rename.stderr)")
        #expect(try link.execute("SELECT count(*) FROM certificate WHERE name = 'stolen'").first?.decode(Int64.self) == 0)
        let due = try CertpushBinary.run(["--db", cluster.url, "tasks", "run-due"], environment: stranger)
        #expect(due.status == 2 && due.stderr.contains("needs the team's keyring"), "\(due.stdout)\(due.stderr)")

        // Into a database that holds a workspace: refused, nothing changed.
        let again = try certpush("db", "copy", "--to", cluster.url)
        #expect(again.status != 0)
        #expect((again.stdout + again.stderr).contains("holds a workspace already: certpush copies only into an empty one."), "\(again.stderr)")
        #expect(try link.execute("SELECT count(*) FROM certificate").first?.decode(Int64.self) == 8)
    }

    @Test("T5: a training workspace is not copied into PostgreSQL, and the database is left as it was")
    func trainingNotCopied() throws {
        defer { scm.stop(); cas.stop() }
        let cluster = try PostgresFixture()
        defer { cluster.stop() }
        #expect(try cli(["init"], config: nil).status == 0)
        let refused = try cli(["db", "copy", "--to", cluster.url], config: nil)
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("is not a live workspace"), "\(refused.stderr)")
        let link = try PostgresLink(try PostgresLocation(url: cluster.url))
        #expect(try link.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").first?.decode(Int64.self) == 0)
    }

    /// Each table's rows as an export gives them, in its order, every row its
    /// "column=value" texts in column order by name: comparable whichever database gave them.
    static func rowsByTable(_ export: (_ body: (StoredRows) throws -> Void) throws -> Void) throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        try export { batch in
            let order = batch.columns.indices.sorted { batch.columns[$0] < batch.columns[$1] }
            tables[batch.table, default: []] += batch.rows.map { row in
                order.map { "\(batch.columns[$0])=\(Self.text(row[$0]))" }.joined(separator: "\u{1}")
            }
        }
        return tables
    }

    /// A value as either database writes it in text, for comparison.
    static func text(_ value: StoredValue) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let number): String(number)
        case .real(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .text(let text): text
        }
    }
}
