import CertpushCore
import Foundation
import GRDB

/// W7: a database made before workspaces that holds both the sandbox and
/// real accounts' work becomes two workspaces. Each part is a copy of the
/// whole (`VACUUM INTO`, sealed keys as they were, so the same keyring opens
/// both) from which what belongs to the other is taken out: each resource
/// with its pairs, push records and bindings goes with its account. The
/// original file keeps its bytes under a new name; nothing is lost.
public enum WorkspaceSplit {
    public struct Part: Sendable, Equatable {
        public let path: String
        public let certificates: Int
        public let resources: Int
        public let tasks: Int
    }

    public struct Outcome: Sendable, Equatable {
        public let training: Part
        public let live: Part
        /// Where the original file is now.
        public let original: String
    }

    /// Splits the database at `source` (closed by the caller) into `training`
    /// and `live`. The source is only ever read, by a read-only connection:
    /// `kind` opens the first copy as certpush does (migrations run there)
    /// and says what it is; anything but a database that needs a split is
    /// refused, like a destination or the original's new name that exists,
    /// with nothing written.
    public static func split(source: String, training: String, live: String,
                             kind: (String) throws -> WorkspaceKind) throws -> Outcome {
        let original = source + ".before-split"
        for path in [training, live, original] where path != source && FileManager.default.fileExists(atPath: path) {
            throw Refusal("\(path) already exists; nothing was split. Move it away, or name another folder with --to.")
        }
        let staged = (training: training + ".splitting", live: live + ".splitting")
        defer {
            for path in [staged.training, staged.live] {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        do {
            let queue = try DatabaseQueue(path: source, configuration: SQLiteStore.readOnlyConfiguration())
            try queue.inDatabase { db in
                for path in [staged.training, staged.live] {
                    try? FileManager.default.removeItem(atPath: path)
                    try db.execute(sql: "VACUUM INTO ?", arguments: [path])
                }
            }
            try queue.close()
            let found = try kind(staged.training)
            guard found == .needsSplit else {
                throw Refusal("\(source) is a \(found == .training ? "training" : "live") workspace already; there is nothing to split.")
            }
            _ = try kind(staged.live)
            let trainingPart = try keep(.training, in: staged.training, finalPath: training)
            let livePart = try keep(.live, in: staged.live, finalPath: live)
            for suffix in ["-wal", "-shm", ""] where FileManager.default.fileExists(atPath: source + suffix) {
                try FileManager.default.moveItem(atPath: source + suffix, toPath: original + suffix)
            }
            try FileManager.default.moveItem(atPath: staged.training, toPath: training)
            try FileManager.default.moveItem(atPath: staged.live, toPath: live)
            return Outcome(training: trainingPart, live: livePart, original: original)
        } catch let error as DatabaseError {
            throw StoreError(path: source, reason: .cannotOpen(error.message ?? "\(error.resultCode)"))
        }
    }

    /// Takes out of the copy at `path` what belongs to the other kind.
    private static func keep(_ kind: WorkspaceKind, in path: String, finalPath: String) throws -> Part {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        chmod(path, 0o600)
        // One file, ready to be moved: no log beside it.
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        return try queue.write { db in
            let seeded = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'sandbox.seeded'")
                .flatMap { ISO8601DateFormatter().date(from: $0) }?.timeIntervalSince1970
            // The seeded demo certificates: made in the seed's one transaction, at its time.
            try db.execute(sql: "CREATE TEMP TABLE demo AS SELECT id FROM certificate WHERE ? IS NOT NULL AND created_at BETWEEN ? - 1 AND ? + 1",
                           arguments: [seeded, seeded, seeded])
            let isSandbox = kind == .training ? "=" : "<>"
            let pairsOfSandbox = kind == .training ? "IS NULL" : "IS NOT NULL"
            try db.execute(sql: """
                DELETE FROM resource WHERE NOT (account \(isSandbox) 'sandbox');
                DELETE FROM task_pair WHERE NOT (account \(pairsOfSandbox));
                DELETE FROM push_record WHERE NOT (account \(isSandbox) 'sandbox');
                DELETE FROM task WHERE id NOT IN (SELECT task_id FROM task_pair);
                DELETE FROM task_pair_tally WHERE count <= 0;
                DELETE FROM notification WHERE task_id NOT IN (SELECT id FROM task);
                CREATE TEMP TABLE used AS
                    SELECT certificate_id AS id FROM resource WHERE certificate_id IS NOT NULL
                    UNION SELECT certificate_id FROM task_pair
                    UNION SELECT previous_certificate_id FROM task_pair WHERE previous_certificate_id IS NOT NULL
                    UNION SELECT certificate_id FROM push_record
                    UNION SELECT certificate_id FROM task_certificate WHERE task_id IN (SELECT id FROM task);
                """)
            if kind == .training {
                // The sandbox and the certificates it uses: a user's other certificates (and their keys) stay live only.
                try db.execute(sql: """
                    DELETE FROM certificate WHERE id NOT IN (SELECT id FROM demo) AND id NOT IN (SELECT id FROM used);
                    DELETE FROM setting WHERE key NOT LIKE 'sandbox.%' AND key NOT IN ('deployment.quota', 'keyring.check', 'account.sandbox.last_sync');
                    DELETE FROM provider_reference;
                    """)
            } else {
                // A demo certificate that reached a real resource is the user's now: an uploaded one.
                try db.execute(sql: """
                    DELETE FROM certificate WHERE id IN (SELECT id FROM demo) AND id NOT IN (SELECT id FROM used);
                    UPDATE certificate SET source = 'uploaded', lifecycle = CASE WHEN has_private_key = 1 THEN 'hosted' ELSE 'issued' END
                        WHERE id IN (SELECT id FROM demo) AND lifecycle IN ('issued', 'hosted');
                    DELETE FROM service_certificate;
                    DELETE FROM exercise_log;
                    DELETE FROM service_region;
                    DELETE FROM region;
                    DELETE FROM setting WHERE key LIKE 'sandbox.%' OR key IN ('deployment.quota', 'account.sandbox.last_sync', 'created.as');
                    """)
            }
            try db.execute(sql: "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", arguments: [WorkspaceKind.settingKey, kind.rawValue])
            try db.execute(sql: "INSERT INTO activity (at, user, action, subject, detail) VALUES (?, ?, 'workspace.split', ?, ?)",
                           arguments: [Date().timeIntervalSince1970, NSUserName(), finalPath, "the \(kind.rawValue) part"])
            try db.execute(sql: "DROP TABLE demo; DROP TABLE used")
            return Part(path: finalPath,
                        certificates: try Int.fetchOne(db, sql: "SELECT count(*) FROM certificate") ?? 0,
                        resources: try Int.fetchOne(db, sql: "SELECT count(*) FROM resource") ?? 0,
                        tasks: try Int.fetchOne(db, sql: "SELECT count(*) FROM task") ?? 0)
        }
    }
}
