import CertpushCore
import CertpushStore
import Foundation
import PostgresNIO

/// T1: the core's `Store` on a live workspace in PostgreSQL, its SQL the
/// same session as SQLite's. Each transaction takes a connection of its own
/// from a few kept open, so that a console reads while its runner writes.
///
/// Writes are one at a time across every bastion, as SQLite's are on one
/// machine: each write transaction first takes a transaction-level advisory
/// lock. The rules the core checks inside a write (a claim, quota, a
/// fingerprint's uniqueness) then hold however many processes write at once.
/// Reads see one snapshot (REPEATABLE READ) and never wait for writers.
public final class PostgresStore: Store, @unchecked Sendable {
    public let location: String
    let address: PostgresLocation
    private let vault: KeyVault
    private let lock = NSCondition()
    private var idle: [PostgresLink] = []
    private var open = 0
    static let maximumConnections = 4
    /// The advisory lock every write transaction takes (the migrations' is 7411).
    static let writeLock = 7412

    /// Whether this database holds no certpush workspace yet: what decides
    /// whether a keyring may be made for it (F4).
    public static func isEmpty(_ location: PostgresLocation) throws -> Bool {
        let link = try PostgresLink(location)
        guard try link.execute("SELECT to_regclass('certpush_migration') IS NOT NULL").first?.decode(Bool.self) == true else { return true }
        // Migrated, but no keyring ever sealed its check: nothing is sealed there yet.
        return try link.execute("SELECT NOT EXISTS (SELECT 1 FROM setting WHERE key = 'keyring.check')").first?.decode(Bool.self) ?? true
    }

    /// Connects, brings the schema up to date (one migrator at a time), and
    /// keeps the connection for the first transaction.
    public init(_ location: PostgresLocation, vault: KeyVault) throws {
        self.address = location
        self.location = location.description
        self.vault = vault
        let link = try PostgresLink(location)
        try PostgresSchema.migrate(link, seal: { try vault.seal($0) })
        // A database migrated before any keyring sealed there (a template) takes this one's check.
        try link.execute("""
            INSERT INTO setting (key, value) VALUES ('keyring.check', \(try vault.seal(KeyringCheck.text))) ON CONFLICT (key) DO NOTHING
            """)
        idle = [link]
        open = 1
    }

    /// Whether `vault` opens the workspace's keyring check: a bastion with
    /// another keyring may read, never change (T4).
    public func keyringIsTheWorkspaces() throws -> Bool {
        guard let check = try read({ try $0.value(forKey: "keyring.check") }) else { return true }
        return (try? vault.open(check)) == KeyringCheck.text
    }

    /// Whether a write could begin now: no transaction holds the write lock (what R3's tests ask during provider calls).
    public static func writeLockIsFree(_ link: PostgresLink) throws -> Bool {
        try link.transaction {
            try link.execute("SELECT pg_try_advisory_xact_lock(\(writeLock))").first?.decode(Bool.self) ?? false
        }
    }

    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", lock: true, body)
    }

    private func transaction<T>(begin: String, lock takesLock: Bool = false, _ body: (any StoreWriter) throws -> T) throws -> T {
        let link = try checkOut()
        defer { checkIn(link) }
        try link.execute(PostgresQuery(unsafeSQL: begin))
        do {
            if takesLock { try link.execute("SELECT pg_advisory_xact_lock(\(Self.writeLock))") }
            let result = try body(storeSession(on: PostgresSQL(link: link), vault: vault))
            try link.execute("COMMIT")
            return result
        } catch {
            _ = try? link.execute("ROLLBACK")
            if let mismatch = error as? StoredValueMismatch {
                throw Refusal("PostgreSQL at \(location) holds a value certpush never wrote (\(mismatch.description)): nothing was changed.")
            }
            throw error
        }
    }

    private func checkOut() throws -> PostgresLink {
        lock.lock()
        while idle.isEmpty && open >= Self.maximumConnections { lock.wait() }
        if let link = idle.popLast() {
            lock.unlock()
            return link
        }
        open += 1
        lock.unlock()
        do {
            return try PostgresLink(address)
        } catch {
            lock.lock()
            open -= 1
            lock.signal()
            lock.unlock()
            throw error
        }
    }

    private func checkIn(_ link: PostgresLink) {
        lock.lock()
        idle.append(link)
        lock.signal()
        lock.unlock()
    }
}
