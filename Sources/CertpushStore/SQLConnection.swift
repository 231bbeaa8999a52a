import CertpushCore
import Foundation

/// What the store's SQL needs of a database in one transaction: SQLite
/// (through GRDB) or PostgreSQL (T1). The session writes its SQL once, with
/// `?` placeholders; where the two databases differ, `dialect` says how.
public protocol SQLConnection {
    var dialect: SQLDialect { get }
    /// The statement's rows, whole.
    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [any SQLRow]
    /// The statement's rows one at a time, never held whole: a cursor.
    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (any SQLRow) throws -> Void) throws
    func execute(_ sql: String, _ arguments: SQLArguments) throws
    /// Runs an INSERT into a table with an `id` column; the id it made.
    func insert(_ sql: String, _ arguments: SQLArguments) throws -> Int64
    /// The certificate list's narrow read (`certificateListing`): SQLite reads
    /// it straight through its column API, other databases row by row.
    func listing(_ sql: String) throws -> CertificateListing
    /// Inserts many rows into `table`, each its `columns`' values: the ids
    /// made (a table with an `id` column), in the rows' order, when `returningIDs`.
    /// A task of 100,000 pairs is kept in one transaction this way.
    func insertRows(into table: String, columns: [String], _ rows: [SQLArguments], returningIDs: Bool) throws -> [Int64]
    /// The next id of each of these tables is 1 again (a training reset, W6).
    func restartIDs(of tables: [String]) throws
}

extension SQLConnection {
    func rows(_ sql: String) throws -> [any SQLRow] { try rows(sql, []) }
    func execute(_ sql: String) throws { try execute(sql, []) }

    /// The first column of the first row, or nil when there is none or it is NULL.
    func one<Value: StoredValueConvertible>(as _: Value.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> Value? {
        guard let row = try rows(sql, arguments).first else { return nil }
        return try row.value(0) as Value?
    }

    /// The first column of every row.
    func column<Value: StoredValueConvertible>(as _: Value.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> [Value] {
        try rows(sql, arguments).map { try $0.value(0) }
    }

    /// The text list's narrow read, row by row: what a database without SQLite's column API does.
    public func listingByRows(_ sql: String) throws -> CertificateListing {
        let lifecycles: [CertificateLifecycle] = [.pending, .issued, .hosted, .revoked]
        var entries: [CertificateListing.Attributes] = []
        var text: [UInt8] = []
        try forEachRow(sql, []) { row in
            let notAfter: Double? = try row.value(3)
            entries.append(.init(id: CertificateID(try row.value(0) as Int64), source: try row.value(1) ? .official : .uploaded,
                                 lifecycle: lifecycles[min(3, max(0, try row.value(2) as Int))],
                                 notAfter: notAfter.map(Date.init(timeIntervalSince1970:))))
            text.append(contentsOf: (try row.value(4) as String).utf8)
            text.append(0x0A)
        }
        return CertificateListing(entries: entries, searchText: text)
    }
}

/// The values a statement binds, in the order of its `?`s.
public typealias SQLArguments = [(any StoredValueConvertible)?]

/// A sequence of values as a statement's arguments.
func bound<Values: Sequence>(_ values: Values) -> SQLArguments where Values.Element: StoredValueConvertible {
    values.map { $0 }
}

/// `?, ?, ?`: placeholders for `count` values.
public func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

/// One row of a result, its values as either database keeps them.
public protocol SQLRow {
    func stored(at index: Int) throws -> StoredValue
    func stored(named column: String) throws -> StoredValue
}

extension SQLRow {
    /// The column's value, or an error when it is not what certpush wrote there (a damaged file, F2).
    func value<Value: StoredValueConvertible>(_ index: Int) throws -> Value { try Value(stored: stored(at: index)) }
    func value<Value: StoredValueConvertible>(_ column: String) throws -> Value { try Value(stored: stored(named: column)) }
}

/// A stored value that is not what certpush wrote there.
public struct StoredValueMismatch: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A Swift value as the store keeps it, and back.
public protocol StoredValueConvertible {
    init(stored: StoredValue) throws
    var stored: StoredValue { get }
}

extension Int64: StoredValueConvertible {
    public init(stored: StoredValue) throws {
        switch stored {
        case .integer(let value): self = value
        case .real(let value) where value.rounded() == value && abs(value) < 9e18: self = Int64(value)
        default: throw StoredValueMismatch(description: "\(stored) is not an integer")
        }
    }
    public var stored: StoredValue { .integer(self) }
}

extension Int: StoredValueConvertible {
    public init(stored: StoredValue) throws { self = Int(try Int64(stored: stored)) }
    public var stored: StoredValue { .integer(Int64(self)) }
}

extension Int32: StoredValueConvertible {
    public init(stored: StoredValue) throws {
        guard let value = Int32(exactly: try Int64(stored: stored)) else { throw StoredValueMismatch(description: "\(stored) is not a process id") }
        self = value
    }
    public var stored: StoredValue { .integer(Int64(self)) }
}

extension Double: StoredValueConvertible {
    public init(stored: StoredValue) throws {
        switch stored {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: throw StoredValueMismatch(description: "\(stored) is not a number")
        }
    }
    public var stored: StoredValue { .real(self) }
}

extension Bool: StoredValueConvertible {
    public init(stored: StoredValue) throws { self = try Int64(stored: stored) != 0 }
    public var stored: StoredValue { .integer(self ? 1 : 0) }
}

extension String: StoredValueConvertible {
    public init(stored: StoredValue) throws {
        guard case .text(let value) = stored else { throw StoredValueMismatch(description: "\(stored) is not text") }
        self = value
    }
    public var stored: StoredValue { .text(self) }
}

/// A value as it is already kept: what `db copy` binds.
extension StoredValue: StoredValueConvertible {
    public init(stored: StoredValue) { self = stored }
    public var stored: StoredValue { self }
}

extension Optional: StoredValueConvertible where Wrapped: StoredValueConvertible {
    public init(stored: StoredValue) throws {
        self = stored == .null ? nil : try Wrapped(stored: stored)
    }
    public var stored: StoredValue { map(\.stored) ?? .null }
}

/// Where SQLite's SQL and PostgreSQL's differ, the one place that says how.
public enum SQLDialect: Sendable {
    case sqlite
    case postgresql

    /// LIKE that ignores case, as SQLite's does for ASCII.
    var like: String { self == .sqlite ? "LIKE" : "ILIKE" }

    /// `expression`'s values from `source`, in `order`, joined by newlines: one text per group.
    func lines(of expression: String, from source: String, orderedBy order: String) -> String {
        switch self {
        case .sqlite: "(SELECT group_concat(\(expression), char(10)) FROM (SELECT \(expression) FROM \(source) ORDER BY \(order)))"
        case .postgresql: "(SELECT string_agg(\(expression), chr(10) ORDER BY \(order)) FROM \(source))"
        }
    }
}
