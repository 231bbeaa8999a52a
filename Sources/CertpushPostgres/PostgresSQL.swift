import CertpushCore
import CertpushStore
import Foundation
import PostgresNIO

/// The store's SQL on a PostgreSQL connection, inside the transaction
/// `PostgresStore` began: `?` placeholders numbered as PostgreSQL's `$n`,
/// values bound as 64-bit integers, doubles and text, as SQLite keeps them.
struct PostgresSQL: SQLConnection {
    let link: PostgresLink
    /// Set when a statement changed something: the transaction then tells listeners (T3).
    let wrote: Flag
    var dialect: SQLDialect { .postgresql }

    final class Flag {
        var raised = false
    }
    /// How many rows a cursor fetches at a time.
    static let batch = 5_000

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [any SQLRow] {
        let rows = try link.execute(Self.query(sql, arguments))
        let columns = PostgresSQLRow.Columns(rows.first)
        return rows.map { PostgresSQLRow(row: $0.makeRandomAccess(), columns: columns) }
    }

    /// A cursor of its own, so that `body` may read meanwhile: a million resources are never held whole.
    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (any SQLRow) throws -> Void) throws {
        let cursor = link.nextName("certpush_rows")
        try link.execute(Self.query("DECLARE \(cursor) NO SCROLL CURSOR FOR " + sql, arguments))
        while true {
            let fetched = try link.execute(PostgresQuery(unsafeSQL: "FETCH \(Self.batch) FROM \(cursor)"))
            let columns = PostgresSQLRow.Columns(fetched.first)
            for row in fetched { try body(PostgresSQLRow(row: row.makeRandomAccess(), columns: columns)) }
            if fetched.count < Self.batch { break }
        }
        try link.execute(PostgresQuery(unsafeSQL: "CLOSE \(cursor)"))
    }

    func execute(_ sql: String, _ arguments: SQLArguments) throws {
        wrote.raised = true
        try link.execute(Self.query(sql, arguments))
    }

    func insert(_ sql: String, _ arguments: SQLArguments) throws -> Int64 {
        wrote.raised = true
        guard let row = try rows(sql + " RETURNING id", arguments).first else {
            throw StoredValueMismatch(description: "an INSERT gave no id")
        }
        return try Int64(stored: row.stored(at: 0))
    }

    func listing(_ sql: String) throws -> CertificateListing { try listingByRows(sql) }

    /// Many rows to a statement (as many as 65,535 bound values allow): a
    /// round trip per row is what would make a task of 100,000 pairs slow.
    /// PostgreSQL gives RETURNING's rows in the order of VALUES' rows.
    func insertRows(into table: String, columns: [String], _ rows: [SQLArguments], returningIDs: Bool) throws -> [Int64] {
        wrote.raised = true
        let perStatement = max(1, 60_000 / max(1, columns.count))
        let row = "(" + placeholders(columns.count) + ")"
        var ids: [Int64] = []
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let batch = rows[start..<min(rows.count, start + perStatement)]
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                + Array(repeating: row, count: batch.count).joined(separator: ", ") + (returningIDs ? " RETURNING id" : "")
            let made = try link.execute(Self.query(sql, batch.flatMap { $0 }))
            if returningIDs { ids += try made.map { try $0.decode(Int64.self) } }
        }
        return ids
    }

    func restartIDs(of tables: [String]) throws {
        for table in tables { try execute("ALTER TABLE \(table) ALTER COLUMN id RESTART WITH 1", []) }
    }

    /// The statement with its `?`s numbered `$1, $2, …` (none inside quotes) and its values bound.
    static func query(_ sql: String, _ arguments: SQLArguments) -> PostgresQuery {
        var text = ""
        text.reserveCapacity(sql.utf8.count + 8)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "?" {
                number += 1
                text += "$\(number)"
                continue
            }
            text.append(character)
        }
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument?.stored ?? .null {
            case .null: binds.appendNull()
            case .integer(let integer): binds.append(integer)
            case .real(let real): binds.append(real)
            case .text(let value): binds.append(value)
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }
}

/// A PostgreSQL row, its cells read as SQLite's kinds of value: a boolean
/// is 1 or 0, a numeric a whole number where it is one.
struct PostgresSQLRow: SQLRow {
    let row: PostgresRandomAccessRow
    /// The result's columns by name, found once for all its rows: a lookup by name is then one hash, not a walk.
    let columns: Columns

    final class Columns {
        let index: [String: Int]
        init(_ first: PostgresRow?) {
            var index: [String: Int] = [:]
            for cell in first.map(Array.init) ?? [] where index[cell.columnName] == nil { index[cell.columnName] = cell.columnIndex }
            self.index = index
        }
    }

    func stored(at index: Int) throws -> StoredValue {
        guard index >= 0 && index < row.count else { throw StoredValueMismatch(description: "no column \(index)") }
        return try Self.stored(row[index])
    }

    func stored(named column: String) throws -> StoredValue {
        guard let index = columns.index[column] else { throw StoredValueMismatch(description: "no column \(column)") }
        return try Self.stored(row[index])
    }

    static func stored(_ cell: PostgresCell) throws -> StoredValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .float4, .float8: return .real(try cell.decode(Double.self))
            case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .numeric:
                let value = try cell.decode(Decimal.self)
                if let whole = Int64(exactly: NSDecimalNumber(decimal: value).doubleValue), Decimal(whole) == value { return .integer(whole) }
                return .real(NSDecimalNumber(decimal: value).doubleValue)
            default: return .text(try cell.decode(String.self))
            }
        } catch {
            throw StoredValueMismatch(description: "column \(cell.columnName) of type \(cell.dataType) is not what certpush wrote")
        }
    }
}
