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
public final class PostgresStore: Store, ChangeFeed, @unchecked Sendable {
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

    public var changesHeard: Int {
        heardLock.lock()
        defer { heardLock.unlock() }
        if let link = listener, !link.isOpen, !relistening {
            // T6: PostgreSQL restarted; listen again, away from the console's thread, and
            // count it as a change: what was committed meanwhile was not heard.
            listener = nil
            relistening = true
            Thread.detachNewThread { [weak self] in
                while let store = self, (try? store.listenForChanges()) == nil { Thread.sleep(forTimeInterval: 1) }
                guard let store = self else { return }
                store.heardOne()
                store.heardLock.lock()
                store.relistening = false
                store.heardLock.unlock()
            }
        }
        return heard
    }
    private var relistening = false

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
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writing: false, body)
    }

    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", writing: true, takesWriteLock: true, body)
    }

    /// T2: a claim takes no write lock: it waits for no import or other
    /// write, only for the rows it reads to change (the task, the quota), and
    /// skips a task another runner is claiming this moment (SKIP LOCKED).
    /// Every write locks those same rows when it reads them, so a claim and
    /// a write never both change what each read.
    public func claim<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", writing: true, takesWriteLock: false, body)
    }

    /// One transaction on a connection of the pool. A connection found dead
    /// when the transaction begins (PostgreSQL restarted since) is replaced
    /// and the transaction begun again: nothing ran yet (T6). A connection
    /// lost later fails the transaction, nothing of it kept, and is dropped.
    /// `writing`: rows read to be changed are locked (`storeSession`'s `locksRows`).
    private func transaction<T>(begin: String, writing: Bool, takesWriteLock: Bool = false,
                                _ body: (any StoreWriter) throws -> T) throws -> T {
        var link = try checkOut()
        do {
            try link.execute(PostgresQuery(unsafeSQL: begin))
        } catch is DatabaseUnreachable {
            drop(link)
            link = try checkOut()
            do { try link.execute(PostgresQuery(unsafeSQL: begin)) } catch {
                drop(link)
                throw error
            }
        }
        do {
            if takesWriteLock { try link.execute("SELECT pg_advisory_xact_lock(\(Self.writeLock))") }
            let wrote = PostgresSQL.Flag()
            let result = try body(storeSession(on: PostgresSQL(link: link, wrote: wrote), vault: vault, locksRows: writing))
            // T3: delivered to every listening console when the transaction commits, and only then.
            if wrote.raised { try link.execute(PostgresQuery(unsafeSQL: "NOTIFY \(Self.changesChannel)")) }
            try link.execute("COMMIT")
            checkIn(link)
            return result
        } catch {
            if link.isOpen, (try? link.execute("ROLLBACK")) != nil { checkIn(link) } else { drop(link) }
            if let mismatch = error as? StoredValueMismatch {
                throw Refusal("PostgreSQL at \(location) holds a value certpush never wrote (\(mismatch.description)): nothing was changed.")
            }
            throw error
        }
    }

    // MARK: T3: changes heard

    /// The channel every write that changed something notifies.
    static let changesChannel = "certpush_changes"
    /// Its own lock: the event loop that hears a change never waits for the pool's.
    private let heardLock = NSLock()
    private var heard = 0
    private var listener: PostgresLink?

    /// Listens on a connection of its own for the changes any process
    /// commits; `changesHeard` moves with each. Idempotent.
    public func listenForChanges() throws {
        heardLock.lock()
        let listening = listener != nil
        heardLock.unlock()
        guard !listening else { return }
        let link = try PostgresLink(address)
        link.connection.addListener(channel: Self.changesChannel) { [weak self] _, _ in self?.heardOne() }
        try link.execute(PostgresQuery(unsafeSQL: "LISTEN \(Self.changesChannel)"))
        heardLock.lock()
        listener = link
        heardLock.unlock()
    }

    private func heardOne() {
        heardLock.lock()
        heard += 1
        heardLock.unlock()
    }

    private func checkOut() throws -> PostgresLink {
        lock.lock()
        while idle.isEmpty && open >= Self.maximumConnections { lock.wait() }
        while let link = idle.popLast() {
            if link.isOpen {
                lock.unlock()
                return link
            }
            open -= 1
        }
        open += 1
        lock.unlock()
        do {
            return try PostgresLink(address)
        } catch {
            giveUpPlace()
            throw error
        }
    }

    /// A connection that failed: closed, and its place in the pool given up.
    private func drop(_ link: PostgresLink) { giveUpPlace() }

    private func giveUpPlace() {
        lock.lock()
        open -= 1
        lock.signal()
        lock.unlock()
    }

    private func checkIn(_ link: PostgresLink) {
        lock.lock()
        idle.append(link)
        lock.signal()
        lock.unlock()
    }
}
