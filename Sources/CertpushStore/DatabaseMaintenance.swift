import CertpushCore
import Foundation
import GRDB

/// F5: what `certpush db check` and `certpush db backup` do to a database
/// file, outside any workspace: the check must work on a file too damaged
/// to open as one, and the backup beside processes that write.
public enum DatabaseMaintenance {
    /// SQLite's integrity and foreign-key checks, read-only: one line per
    /// problem, none when the file is sound. A sound file loses the mark an
    /// earlier command left when it met damage (F2); a damaged one gets it.
    public static func check(path: String) throws -> [String] {
        let problems = try problems(path: path)
        if problems.isEmpty {
            DamageMark.clear(for: path)
        } else {
            DamageMark.record(problems[0], for: path)
        }
        return problems
    }

    private static func problems(path: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(path: path, reason: .missing) }
        do {
            let reader = try SQLiteStore.readOnlyPool(path: path)
            defer { try? reader.close() }
            return try reader.read { db in
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
                let keys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row -> String in
                    let table: String = (try? row.decode(String.self, atIndex: 0)) ?? "?"
                    let rowid: Int64? = try? row.decode(Int64?.self, atIndex: 1)
                    let parent: String = (try? row.decode(String.self, atIndex: 2)) ?? "?"
                    return "\(table)" + (rowid.map { " row \($0)" } ?? "") + " refers to a \(parent) that is not there"
                }
                return integrity + keys
            }
        } catch let error as DatabaseError {
            // Too damaged to be read at all: that is the one problem to report.
            return ["SQLite: " + (error.message ?? "result \(error.resultCode.rawValue)")]
        } catch let error as StoreError {
            guard case .damaged(let why) = error.reason else { throw error }
            return [why]
        }
    }

    /// A consistent copy at `destination` (which must not exist yet), made with
    /// SQLite's online backup while other processes go on writing; it opens
    /// with the same keyring, since the keys travel sealed.
    public static func backup(path: String, to destination: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(path: path, reason: .missing) }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw Refusal("\(destination) exists already: certpush backs up only into a new file.")
        }
        do {
            let source = try SQLiteStore.readOnlyPool(path: path)
            defer { try? source.close() }
            let copy = try DatabaseQueue(path: destination)
            defer { try? copy.close() }
            try source.backup(to: copy)
            chmod(destination, 0o600)
        } catch let error as DatabaseError {
            SQLiteStore.removeDatabase(at: destination)
            throw SQLiteStore.translated(error, path: path)
        }
    }
}

extension DatabaseMaintenance {
    /// T5: every table of the workspace at `path` (StoredTables' order, then
    /// any other), a batch of rows at a time, from one snapshot: a copy is
    /// consistent while other processes write. FTS5's tables and the tallies
    /// are left out.
    public static func export(path: String, batch: Int = 1_000, _ body: (StoredRows) throws -> Void) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(path: path, reason: .missing) }
        let pool = try SQLiteStore.readOnlyPool(path: path)
        defer { try? pool.close() }
        try pool.read { db in
            let present = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                  AND name NOT LIKE 'resource_text%'
                """)
            let tables = StoredTables.ordered.filter(present.contains)
                + present.filter { !StoredTables.ordered.contains($0) && !StoredTables.derived.contains($0) }.sorted()
            for table in tables {
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { row -> String in row["name"] }
                let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                var rows: [[StoredValue]] = []
                // Rows in the order they were made, where the table keeps one: the tallies' triggers see them so again.
                let withoutRowID = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table])?
                    .uppercased().contains("WITHOUT ROWID") ?? false
                let cursor = try Row.fetchCursor(db, sql: "SELECT \(list) FROM \(table)" + (withoutRowID ? "" : " ORDER BY rowid"))
                while let row = try cursor.next() {
                    rows.append((0..<columns.count).map { index in
                        switch (row[index] as DatabaseValue).storage {
                        case .int64(let number): .integer(number)
                        case .double(let number): .real(number)
                        case .string(let text): .text(text)
                        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                        case .null: .null
                        }
                    })
                    if rows.count == batch {
                        try body(StoredRows(table: table, columns: columns, rows: rows))
                        rows = []
                    }
                }
                try body(StoredRows(table: table, columns: columns, rows: rows))
            }
        }
    }
}

extension DatabaseMaintenance {
    /// T5, back: a new SQLite workspace at `path` (which must not exist),
    /// made with `vault`, holding every row `export` gives, ids and sealed
    /// keys as they were, in one transaction; its tallies and text index made
    /// again by its triggers. Nothing stays when any of it fails.
    public static func importWorkspace(path: String, vault: KeyVault, export: (_ body: (StoredRows) throws -> Void) throws -> Void) throws -> [String: Int] {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw Refusal("\(path) exists already: certpush copies a workspace only into a new file.")
        }
        var finished = false
        defer { if !finished { SQLiteStore.removeDatabase(at: path) } }
        let opened = try SQLiteStore.open(path: path, create: true, vault: vault)
        var copied: [String: Int] = [:]
        try opened.store.pool.write { db in
            // The new file's own keyring check gives way to the workspace's.
            try db.execute(sql: "DELETE FROM setting")
            try export { batch in
                copied[batch.table, default: 0] += batch.rows.count
                let columns = batch.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let statement = try db.makeStatement(sql: "INSERT INTO \(batch.table) (\(columns)) VALUES (\(databaseQuestionMarks(count: batch.columns.count)))")
                for row in batch.rows {
                    try statement.execute(arguments: StatementArguments(row.map { value -> DatabaseValueConvertible? in
                        switch value {
                        case .null: nil
                        case .integer(let number): number
                        case .real(let number): number
                        case .text(let text): text
                        }
                    }))
                }
            }
        }
        try opened.store.pool.close()
        chmod(path, 0o600)
        finished = true
        return copied
    }
}
