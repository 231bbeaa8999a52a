import CertpushCore
import Foundation
import GRDB

/// SPEC 9: what other processes commit to a workspace's file, heard by
/// polling SQLite's `data_version` on a connection of its own: the number
/// moves whenever another connection committed a change.
public final class SQLiteChanges: ChangeFeed, @unchecked Sendable {
    private let queue: DatabaseQueue
    private let lock = NSLock()
    private var version: Int?
    private var heard = 0

    /// Nil when the file cannot be read this way (it is not there).
    public init?(path: String) {
        guard FileManager.default.fileExists(atPath: path),
              let queue = try? DatabaseQueue(path: path, configuration: SQLiteStore.readOnlyConfiguration()) else { return nil }
        self.queue = queue
        _ = changesHeard
    }

    public var changesHeard: Int {
        lock.lock()
        defer { lock.unlock() }
        // One pragma on an open connection: microseconds, cheap enough for every tick.
        if let now = try? queue.read({ try Int.fetchOne($0, sql: "PRAGMA data_version") }) {
            if let version, version != now { heard += 1 }
            version = now
        }
        return heard
    }
}
