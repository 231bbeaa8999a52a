import CertpushCore
import Foundation
import PostgresNIO

/// T5: a workspace's tables written into an empty PostgreSQL workspace in
/// one transaction: ids, history and sealed keys as they were.
public enum PostgresCopy {
    /// Migrates the database (the schema stays, empty, if what follows
    /// fails), refuses one that holds a workspace already, then takes every
    /// batch `export` gives in one transaction, and sets each identity to
    /// follow the ids copied: no row stays when any of it fails. Returns the
    /// rows copied per table.
    @discardableResult
    public static func importWorkspace(into link: PostgresLink, seal: (String) throws -> String,
                                       export: (_ body: (StoredRows) throws -> Void) throws -> Void) throws -> [String: Int] {
        try PostgresSchema.migrate(link, seal: seal)
        return try link.transaction {
            let held = try link.execute("""
                SELECT (SELECT count(*) FROM certificate) + (SELECT count(*) FROM resource) + (SELECT count(*) FROM task) + (SELECT count(*) FROM activity)
                """).first?.decode(Int64.self) ?? 0
            guard held == 0 else {
                throw Refusal("PostgreSQL at \(link.location) holds a workspace already: certpush copies only into an empty one.")
            }
            // The migration's own keyring check gives way to the workspace's.
            try link.execute("DELETE FROM setting")
            var copied: [String: Int] = [:]
            try export { batch in
                copied[batch.table, default: 0] += batch.rows.count
                guard !batch.rows.isEmpty else { return }
                try insert(batch, into: link)
            }
            // Each identity goes on after the ids copied, as SQLite's AUTOINCREMENT would.
            for row in try link.execute("""
                SELECT table_name, pg_get_serial_sequence(table_name, 'id') FROM information_schema.columns
                WHERE table_schema = 'public' AND column_name = 'id' AND is_identity = 'YES'
                """) {
                let (table, sequence) = try row.decode((String, String).self)
                try link.execute(PostgresQuery(unsafeSQL: """
                    SELECT setval('\(sequence)', GREATEST((SELECT max(id) FROM \(table)), 1), (SELECT max(id) FROM \(table)) IS NOT NULL)
                    """))
            }
            return copied
        }
    }

    /// T5, back: every table of the workspace in PostgreSQL (StoredTables'
    /// order, the tallies left out), a batch at a time, from one snapshot.
    /// Refuses when `keyring` cannot open the workspace's check: its keys
    /// would travel sealed for a keyring nobody holds.
    public static func exportWorkspace(from link: PostgresLink, opensCheck: (String) -> Bool, batch: Int = 1_000,
                                       _ body: (StoredRows) throws -> Void) throws {
        try link.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { _ = try? link.execute("ROLLBACK") }
        let migrated = try link.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'certpush_migration'")
            .first?.decode(Int64.self) ?? 0
        guard migrated > 0 else { throw Refusal("PostgreSQL at \(link.location) holds no certpush workspace.") }
        let check = try link.execute("SELECT value FROM setting WHERE key = 'keyring.check'").first?.decode(String.self)
        guard let check, opensCheck(check) else {
            throw Refusal("This keyring is not the one the workspace in PostgreSQL at \(link.location) was sealed with: use the team's keyring (CERTPUSH_KEYRING).")
        }
        var columns: [String: [(name: String, type: String)]] = [:]
        for row in try link.execute("""
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
            """) {
            let (table, column, type) = try row.decode((String, String, String).self)
            columns[table, default: []].append((column, type))
        }
        let present = Set(columns.keys).subtracting(["certpush_migration"]).subtracting(StoredTables.derived)
        let tables = StoredTables.ordered.filter(present.contains) + present.filter { !StoredTables.ordered.contains($0) }.sorted()
        for table in tables {
            let shape = columns[table] ?? []
            let list = shape.map { "\"\($0.name)\"::text" }.joined(separator: ", ")
            let order = shape.contains { $0.name == "id" } ? " ORDER BY id" : ""
            // A cursor, a batch at a time: a million resources are never held whole.
            try link.execute(PostgresQuery(unsafeSQL: "DECLARE certpush_export NO SCROLL CURSOR FOR SELECT \(list) FROM \(table)\(order)"))
            var sent = false
            while true {
                let fetched = try link.execute(PostgresQuery(unsafeSQL: "FETCH \(batch) FROM certpush_export"))
                let rows = try fetched.map { row in
                    try zip(row.makeRandomAccess().map { try $0.decode(String?.self) }, shape).map { cell, column -> StoredValue in
                        guard let text = cell else { return .null }
                        switch column.type {
                        case "bigint", "integer", "smallint": return Int64(text).map(StoredValue.integer) ?? .text(text)
                        case "double precision", "real": return Double(text).map(StoredValue.real) ?? .text(text)
                        default: return .text(text)
                        }
                    }
                }
                // Every table once at least, empty ones too, as the SQLite side gives them.
                if !rows.isEmpty || !sent { try body(StoredRows(table: table, columns: shape.map(\.name), rows: rows)) }
                sent = true
                if rows.count < batch { break }
            }
            try link.execute("CLOSE certpush_export")
        }
    }

    /// A batch in as few INSERTs as bound values allow: the store's own many-rows insert.
    static func insert(_ batch: StoredRows, into link: PostgresLink) throws {
        _ = try PostgresSQL(link: link, wrote: PostgresSQL.Flag())
            .insertRows(into: batch.table, columns: batch.columns.map { "\"\($0)\"" }, batch.rows.map { $0 }, returningIDs: false)
    }

}
