import CertpushCore
import Foundation
import GRDB
import GRDBSQLite

/// The store's SQL on one SQLite connection (GRDB's), inside a transaction
/// the pool began. Statements are compiled once a connection and kept:
/// bulk inserts and updates (100,000 pairs, 1,000,000 resources) spend their time there.
struct SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [any SQLRow] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: Self.databaseArguments(arguments)).map(SQLiteRow.init)
    }

    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (any SQLRow) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: Self.databaseArguments(arguments))
        while let row = try cursor.next() { try body(SQLiteRow(row: row)) }
    }

    func execute(_ sql: String, _ arguments: SQLArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: Self.databaseArguments(arguments))
    }

    func insert(_ sql: String, _ arguments: SQLArguments) throws -> Int64 {
        try execute(sql, arguments)
        return db.lastInsertedRowID
    }

    /// A row at a time through one compiled statement: SQLite is in this process, so a row costs microseconds.
    func insertRows(into table: String, columns: [String], _ rows: [SQLArguments], returningIDs: Bool) throws -> [Int64] {
        let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders(columns.count)))"
        var ids: [Int64] = []
        ids.reserveCapacity(returningIDs ? rows.count : 0)
        for row in rows {
            try execute(sql, row)
            if returningIDs { ids.append(db.lastInsertedRowID) }
        }
        return ids
    }

    func restartIDs(of tables: [String]) throws {
        try execute("DELETE FROM sqlite_sequence WHERE name IN (\(placeholders(tables.count)))", bound(tables))
    }

    func listing(_ sql: String) throws -> CertificateListing {
        // Straight through SQLite's column API: numbers for the attributes and
        // the text's bytes copied into one buffer. Making a row or a string per
        // certificate is what would make a list of 100,000 slow to open.
        let statement = try db.makeStatement(sql: sql)
        let sqlite = statement.sqliteStatement
        let lifecycles: [CertificateLifecycle] = [.pending, .issued, .hosted, .revoked]
        var entries: [CertificateListing.Attributes] = []
        var text: [UInt8] = []
        while true {
            let step = sqlite3_step(sqlite)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: step)) }
            let notAfter = sqlite3_column_type(sqlite, 3) == SQLITE_NULL
                ? nil : Date(timeIntervalSince1970: sqlite3_column_double(sqlite, 3))
            entries.append(.init(
                id: CertificateID(sqlite3_column_int64(sqlite, 0)),
                source: sqlite3_column_int(sqlite, 1) != 0 ? .official : .uploaded,
                lifecycle: lifecycles[min(3, max(0, Int(sqlite3_column_int(sqlite, 2))))], notAfter: notAfter))
            if let bytes = sqlite3_column_text(sqlite, 4) {
                text.append(contentsOf: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(sqlite, 4))))
            }
            text.append(0x0A)
        }
        return CertificateListing(entries: entries, searchText: text)
    }

    static func databaseArguments(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.map { value -> DatabaseValue in
            switch value?.stored ?? .null {
            case .null: .null
            case .integer(let integer): integer.databaseValue
            case .real(let real): real.databaseValue
            case .text(let text): text.databaseValue
            }
        })
    }
}

/// A GRDB row, read as the session reads rows.
struct SQLiteRow: SQLRow {
    let row: Row

    func stored(at index: Int) throws -> StoredValue {
        guard index >= 0 && index < row.count else { throw StoredValueMismatch(description: "no column \(index)") }
        return Self.stored(row[index] as DatabaseValue)
    }

    func stored(named column: String) throws -> StoredValue {
        guard row.hasColumn(column) else { throw StoredValueMismatch(description: "no column \(column)") }
        return Self.stored(row[column] as DatabaseValue)
    }

    static func stored(_ value: DatabaseValue) -> StoredValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
        }
    }
}
