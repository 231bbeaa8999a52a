import CertpushCore
import Foundation
import GRDB
import Logging

/// The core's `Store` on one SQLite file, in WAL mode so that several
/// consoles and cron can share it; writers wait for each other (busy timeout)
/// instead of failing with "database is locked".
public final class SQLiteStore: Store {
    let pool: DatabasePool
    private let vault: KeyVault
    public let location: String

    public struct Opened {
        public let store: SQLiteStore
        /// True when this call made the file, so the caller may seed it.
        public let created: Bool
    }

    /// Opens the database at `path`; when it does not exist, creates it
    /// (mode 0600) if `create` is set and refuses otherwise. A file that is not
    /// SQLite, another application's database, or one a newer certpush wrote
    /// is refused untouched.
    ///
    /// `forReading` (F1): a command that only reads opens the file read-only,
    /// so that its bytes stay as they were and a read-only file can be read;
    /// a write through it is refused by SQLite. Only a database whose schema
    /// is behind is opened for writing all the same, to bring it up to date.
    public static func open(path: String, create: Bool = true, vault: KeyVault, forReading: Bool = false) throws -> Opened {
        let fileManager = FileManager.default
        var created = false
        try checkKind(of: path)
        if !fileManager.fileExists(atPath: path) {
            guard create else { throw StoreError(path: path, reason: .missing) }
            try createEmptyFile(at: path)
            created = true
        } else {
            try checkHeader(of: path)
            created = (try? fileManager.attributesOfItem(atPath: path)[.size] as? Int) == 0
            // An empty file is what an init that failed half-way (a full disk) left: only a command that makes databases fills it (F3).
            if created && !create { throw StoreError(path: path, reason: .missing) }
            if !created {
                // One read-only look: whose database it is, and, for a command that only reads, the pool it reads through.
                let reader = try readOnlyPool(path: path)
                try checkSchemaIsKnown(reader, path: path, vault: vault)
                if forReading, try isCurrent(reader, path: path) {
                    return Opened(store: SQLiteStore(pool: reader, vault: vault, location: path), created: false)
                }
                try? reader.close()
            }
        }
        // F2: a file some command found damaged takes no change until `db check` finds it sound.
        if !created, let why = DamageMark.recorded(for: path) { throw StoreError(path: path, reason: .damaged(why)) }
        let pool: DatabasePool
        // F3: a database this call made and could not finish (a full disk) leaves no file behind.
        var finished = false
        defer { if created && !finished { removeDatabase(at: path) } }
        do {
            pool = try DatabasePool(path: path, configuration: configuration())
            let migrator = Schema.migrator(vault: vault)
            let pending = try pool.read { try !migrator.hasCompletedMigrations($0) }
            try migrator.migrate(pool)
            // Pages that held plaintext keys before v5 sealed them: out of the log, and zeroed (secure_delete).
            if pending { try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) } }
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR: throw translated(error, path: path)
            default: throw StoreError(path: path, reason: .cannotOpen(error.message ?? "\(error.resultCode)"))
            }
        }
        finished = true
        return Opened(store: SQLiteStore(pool: pool, vault: vault, location: path), created: created)
    }

    /// The file and what SQLite keeps beside it, for a database that was never finished.
    public static func removeDatabase(at path: String) {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    }

    /// Whether `open(path:create:...)` would make the database: none is there,
    /// or an empty file an interrupted making left, and `create` allows it.
    public static func wouldCreate(path: String, create: Bool) -> Bool {
        create && ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) == 0
    }

    /// Whether every migration this certpush knows is done: then a command that only reads needs no writer.
    /// GRDB sets up nothing on a read-only pool: no journal mode, no table made and dropped.
    private static func isCurrent(_ reader: DatabasePool, path: String) throws -> Bool {
        do {
            return try reader.read { try Schema.migrator(vault: nil).hasCompletedMigrations($0) }
        } catch let error as DatabaseError {
            throw translated(error, path: path)
        }
    }

    /// A pool that only reads the file. A file in a folder no one may write
    /// (a read-only mount, a copy kept read-only) cannot have SQLite's -shm
    /// beside it; with no write-ahead log waiting, the file alone is the
    /// whole database, and it is read as immutable (F1).
    static func readOnlyPool(path: String) throws -> DatabasePool {
        func open(_ name: String) throws -> DatabasePool {
            let pool = try DatabasePool(path: name, configuration: readOnlyConfiguration())
            _ = try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
            return pool
        }
        do {
            return try open(path)
        } catch {
            guard let error = error as? DatabaseError else { throw error }
            guard [.SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode) else { throw translated(error, path: path) }
            guard ((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0) == 0 else {
                throw StoreError(path: path, reason: .readOnly)
            }
            do { return try open(immutableURI(path)) } catch { throw StoreError(path: path, reason: .readOnly) }
        }
    }

    /// SQLite's URI for a file it may assume no one changes while it reads.
    private static func immutableURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path) + "?immutable=1"
    }

    private init(pool: DatabasePool, vault: KeyVault, location: String) {
        self.pool = pool
        self.vault = vault
        self.location = location
    }

    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try translatingErrors { try pool.read { db in try body(SQLSession(SQLiteConnection(db: db), vault: vault)) } }
    }

    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        let result = try translatingErrors { try pool.write { db in try body(SQLSession(SQLiteConnection(db: db), vault: vault)) } }
        #if DEBUG
        CrashPoint.afterCommit()
        #endif
        return result
    }

    static let logger = Logger(label: "certpush")

    /// SQLite's errors as one sentence about the file (F2, F3, F6); SQLite's
    /// own text, with its SQL, goes to the log. What the caller threw (a
    /// refusal) passes as it is.
    private func translatingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            Self.logger.error("database error", metadata: ["path": "\(location)", "error": "\(error)"])
            throw Self.translated(error, path: location)
        } catch let error as StoredValueMismatch {
            Self.logger.error("database holds what certpush never wrote", metadata: ["path": "\(location)", "error": "\(error)"])
            throw Self.damaged("a value is not what certpush wrote there", path: location)
        }
    }

    public static func translated(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            damaged("SQLite: " + (error.message ?? "database disk image is malformed"), path: path)
        case .SQLITE_FULL: StoreError(path: path, reason: .full)
        case .SQLITE_READONLY: StoreError(path: path, reason: .readOnly)
        case .SQLITE_IOERR: StoreError(path: path, reason: .diskError)
        default: StoreError(path: path, reason: .refused(error.message ?? "SQLite result \(error.resultCode.rawValue)"))
        }
    }

    private static func damaged(_ why: String, path: String) -> StoreError {
        DamageMark.record(why, for: path)
        return StoreError(path: path, reason: .damaged(why))
    }

    // MARK: - Opening

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        // GRDB's pool begins its writes IMMEDIATE, so a writer waits for the
        // lock up front instead of failing at once when it upgrades.
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // What is deleted or overwritten (a key before sealing, a deleted certificate's key) is zeroed, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            #if DEBUG
            // A full disk, as the tests of F3 meet it: SQLite answers SQLITE_FULL past this many pages.
            if let pages = CrashPoint.maximumPages { try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
            #endif
        }
        return configuration
    }

    /// A connection that cannot write: what every reading of a file that must keep its bytes opens (F1, F5, W7).
    static func readOnlyConfiguration() -> Configuration {
        var configuration = configuration()
        configuration.readonly = true
        return configuration
    }

    private static func createEmptyFile(at path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(path: path, reason: .cannotCreate("its folder cannot be made"))
            }
        }
        let descriptor = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(path: path, reason: .cannotCreate(String(cString: strerror(errno))))
        }
        close(descriptor)
    }

    /// What stands at `path` must be a regular file, or nothing: a folder, a
    /// device or a dangling link gets a sentence that says so.
    private static func checkKind(of path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return
        case S_IFDIR:
            throw StoreError(path: path, reason: .cannotOpen("it is a folder"))
        case S_IFLNK:
            var target = stat()
            guard stat(path, &target) == 0 else {
                let destination = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                throw StoreError(path: path, reason: .cannotOpen("it is a symbolic link to \(destination), which does not exist"))
            }
            if target.st_mode & S_IFMT == S_IFDIR { throw StoreError(path: path, reason: .cannotOpen("it leads to a folder")) }
            if target.st_mode & S_IFMT != S_IFREG { throw StoreError(path: path, reason: .cannotOpen("it leads to something that is not a regular file")) }
        default:
            throw StoreError(path: path, reason: .cannotOpen("it is not a regular file"))
        }
    }

    private static func checkHeader(of path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(path: path, reason: .cannotOpen("it cannot be read"))
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if !header.isEmpty && header != Data("SQLite format 3\0".utf8) {
            throw StoreError(path: path, reason: .notADatabase)
        }
    }

    /// Read-only, so that a refusal leaves the file as it was. A database that
    /// sealed its keys with another keyring is refused too: keys sealed under
    /// two keys would be half lost.
    private static func checkSchemaIsKnown(_ reader: DatabasePool, path: String, vault: KeyVault) throws {
        do {
            try reader.read { db in
                // Tables, but none of certpush's migrations: someone else's database.
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                let ours = try tables.contains("grdb_migrations")
                    && Bool.fetchOne(db, sql: "SELECT 1 FROM grdb_migrations WHERE identifier = 'v1-certificates'") == true
                if !tables.isEmpty && !ours { throw StoreError(path: path, reason: .foreign) }
                if tables.contains("setting"),
                   let check = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'keyring.check'"),
                   (try? vault.open(check)) != KeyVault.checkText {
                    throw StoreError(path: path, reason: .wrongKeyring)
                }
                if try Schema.migrator(vault: nil).hasBeenSuperseded(db) { throw StoreError(path: path, reason: .newerSchema) }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError(path: path, reason: .notADatabase)
        } catch let error as DatabaseError {
            throw StoreError(path: path, reason: .cannotOpen(error.message ?? "\(error.resultCode)"))
        }
    }
}

#if DEBUG
/// Fault injection for the crash tests (debug builds only):
/// `CERTPUSH_KILL_AFTER_WRITES=N` kills this process with SIGKILL right
/// after its Nth committed write, as `kill -9` at that point would.
enum CrashPoint {
    private static let writes = CountedKill("CERTPUSH_KILL_AFTER_WRITES")
    /// `CERTPUSH_MAX_PAGES=N`: the database may not grow past N pages, as on a full disk.
    static let maximumPages = ProcessInfo.processInfo.environment["CERTPUSH_MAX_PAGES"].flatMap(Int.init)

    static func afterCommit() { writes.tick() }
}
#endif
