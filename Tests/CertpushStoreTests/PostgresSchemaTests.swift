import CertpushCore
import CertpushPostgres
import CertpushStore
import CertpushTestSupport
import Foundation
import GRDB
import PostgresNIO
import Testing

/// T1, T7: the store's migrations on a real PostgreSQL cluster, numbered as
/// SQLite's and making the same tables and columns.
@Suite(.serialized) struct PostgresSchemaTests {
    static func seal(_ text: String) throws -> String { try testVault.seal(text) }

    /// A cluster of this test's own, stopped when the body returns.
    func withCluster(_ body: (PostgresFixture) throws -> Void) throws {
        let cluster = try PostgresFixture()
        defer { cluster.stop() }
        try body(cluster)
    }

    /// SQLite's tables (FTS5's own and GRDB's left out), each column with whether it takes NULL.
    static func sqliteColumns() throws -> [String: [String: Bool]] {
        let folder = TemporaryDirectory()
        _ = try makeTestStore(in: folder)
        let queue = try DatabaseQueue(path: folder.path("certpush.sqlite"))
        return try queue.read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'resource_text%'
                """)
            var columns: [String: [String: Bool]] = [:]
            for table in tables {
                for row in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))") {
                    let primary: Int = row["pk"], notNull: Int = row["notnull"]
                    columns[table, default: [:]][row["name"]] = notNull == 0 && primary == 0
                }
            }
            return columns
        }
    }

    static func sqliteMigrations() throws -> [String] {
        let folder = TemporaryDirectory()
        _ = try makeTestStore(in: folder)
        return try DatabaseQueue(path: folder.path("certpush.sqlite")).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
    }

    @Test("T1: every migration applies on PostgreSQL, numbered as SQLite's, and makes SQLite's tables and columns, NULL where SQLite takes NULL")
    func sameSchema() throws {
        try withCluster { cluster in
            let link = try PostgresLink(try PostgresLocation(url: cluster.url))
            try PostgresSchema.migrate(link, seal: Self.seal)
            #expect(try PostgresSchema.applied(link) == (try Self.sqliteMigrations()))

            var postgres: [String: [String: Bool]] = [:]
            for row in try link.execute("""
                SELECT c.table_name, c.column_name, c.is_nullable = 'YES' AND NOT EXISTS (
                    SELECT 1 FROM information_schema.key_column_usage k JOIN information_schema.table_constraints t
                      ON t.constraint_name = k.constraint_name AND t.constraint_type = 'PRIMARY KEY'
                    WHERE k.table_name = c.table_name AND k.column_name = c.column_name)
                FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name <> 'certpush_migration'
                """) {
                let (table, column, nullable) = try row.decode((String, String, Bool).self)
                postgres[table, default: [:]][column] = nullable
            }
            let sqlite = try Self.sqliteColumns()
            #expect(postgres.keys.sorted() == sqlite.keys.sorted())
            for table in sqlite.keys.sorted() {
                #expect(postgres[table] == sqlite[table], "\(table)")
            }
            // Migrating again finds everything done.
            try PostgresSchema.migrate(link, seal: Self.seal)
            #expect(try PostgresSchema.applied(link).count == PostgresSchema.migrations.count)
        }
    }

    @Test("T1: the tallies' triggers keep counts as SQLite's do; the keyring's check is sealed at v5")
    func triggers() throws {
        try withCluster { cluster in
            let link = try PostgresLink(try PostgresLocation(url: cluster.url))
            try PostgresSchema.migrate(link, seal: Self.seal)
            for (service, region) in [("elb", "cn-north-4"), ("elb", "cn-north-4"), ("cdn", "")] {
                try link.execute("""
                    INSERT INTO resource (service, region, name, domain, parent_domain) VALUES (\(service), \(region), 'n', 'www.example.com', 'example.com')
                    """)
            }
            try link.execute("UPDATE resource SET region = 'ap-southeast-1' WHERE id = 2")
            try link.execute("DELETE FROM resource WHERE service = 'cdn'")
            let tally = try link.execute("SELECT service, region, count FROM resource_tally WHERE count > 0 ORDER BY region")
                .map { try $0.decode((String, String, Int64).self) }
            #expect(tally.map { "\($0.0) \($0.1) \($0.2)" } == ["elb ap-southeast-1 1", "elb cn-north-4 1"])
            // A task's pairs, counted by service and status as each statement changes them.
            try link.execute("INSERT INTO task (name, status, created_at, created_by) VALUES ('t', 'pending', 0, 'u')")
            try link.execute("""
                INSERT INTO task_pair (task_id, resource_id, certificate_id, service, region, resource_name, status, cause, charged)
                SELECT 1, n, 1, 'elb', 'cn-north-4', 'r', 'pending', '', 0 FROM generate_series(1, 3) AS n
                """)
            try link.execute("UPDATE task_pair SET status = 'succeeded' WHERE id IN (2, 3)")
            try link.execute("UPDATE task_pair SET cause = 'unchanged status' WHERE id = 1")
            let pairs = try link.execute("SELECT status, count, first_pair FROM task_pair_tally WHERE count > 0 ORDER BY status")
                .map { try $0.decode((String, Int64, Int64).self) }
            #expect(pairs.map { "\($0.0) \($0.1) \($0.2)" } == ["pending 1 1", "succeeded 2 2"])
            // A substring search uses the trigram index's operator class.
            #expect(try link.execute("SELECT id FROM resource WHERE domain LIKE '%ww.exam%'").count == 2)

            let sealed = try #require(try link.execute("SELECT value FROM setting WHERE key = 'keyring.check'").first?.decode(String.self))
            #expect(try testVault.open(sealed) == KeyringCheck.text)
        }
    }

    @Test("T1: two processes opening a new workspace at once: one migrates, the other waits and finds it done")
    func concurrentMigrators() throws {
        try withCluster { cluster in
            let location = try PostgresLocation(url: cluster.url)
            let links = try (0..<3).map { _ in try PostgresLink(location) }
            let failures = NSLock(), group = DispatchGroup()
            nonisolated(unsafe) var errors: [String] = []
            for link in links {
                DispatchQueue.global().async(group: group) {
                    do { try PostgresSchema.migrate(link, seal: Self.seal) } catch { failures.withLock { errors.append("\(error)") } }
                }
            }
            group.wait()
            #expect(errors.isEmpty, "\(errors)")
            #expect(try PostgresSchema.applied(links[0]).count == PostgresSchema.migrations.count)
        }
    }
}

/// T1: a PostgreSQL URL and the password found as libpq finds it.
@Suite struct PostgresLocationTests {
    @Test("T1: user, host, port and database from the URL; the password from the URL, else PGPASSWORD, else a ~/.pgpass only its owner reads")
    func passwords() throws {
        let plain = try PostgresLocation(url: "postgresql://ops@db.example.com:6432/certpush", environment: ["HOME": "/nonexistent"])
        #expect(plain.host == "db.example.com" && plain.port == 6432 && plain.user == "ops" && plain.database == "certpush" && plain.password == nil)
        #expect(try PostgresLocation(url: "postgres://ops:s%40cret@db/ws", environment: [:]).password == "s@cret")
        #expect(try PostgresLocation(url: "postgresql://ops@db/ws", environment: ["PGPASSWORD": "from-env"]).password == "from-env")
        #expect(try PostgresLocation(url: "postgresql://ops@db", environment: ["HOME": "/nonexistent"]).database == "ops")

        let folder = TemporaryDirectory()
        let file = folder.path("pgpass")
        try "# team\nother:5432:*:ops:wrong\ndb:5432:ws:ops:pa\\:ss\n*:*:*:*:fallback\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        #expect(try PostgresLocation(url: "postgresql://ops@db/ws", environment: ["PGPASSFILE": file]).password == "pa:ss")
        #expect(try PostgresLocation(url: "postgresql://ops@elsewhere/ws", environment: ["PGPASSFILE": file]).password == "fallback")
        chmod(file, 0o644)
        #expect(try PostgresLocation(url: "postgresql://ops@db/ws", environment: ["PGPASSFILE": file]).password == nil, "libpq ignores a file others may read")

        #expect(throws: Refusal.self) { try PostgresLocation(url: "postgresql://db.example.com/ws", environment: [:]) }
        #expect(throws: Refusal.self) { try PostgresLocation(url: "mysql://ops@db/ws", environment: [:]) }
        #expect(plain.description == "postgresql://ops@db.example.com:6432/certpush")
        // TLS as libpq's sslmode asks, prefer by default.
        #expect(plain.sslMode == "prefer")
        #expect(try PostgresLocation(url: "postgresql://ops@db/ws?sslmode=verify-full", environment: [:]).sslMode == "verify-full")
        #expect(try PostgresLocation(url: "postgresql://ops@db/ws", environment: ["PGSSLMODE": "require"]).sslMode == "require")
        #expect(throws: Refusal.self) { try PostgresLocation(url: "postgresql://ops@db/ws?sslmode=on", environment: [:]) }
    }
}
