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
