import CertpushCore
import CertpushPostgres
import CertpushStore
import Foundation
import GRDB
import PostgresNIO

/// T7: the databases the store's and the engine's suites run on, each test
/// once on each: one suite, two backends.
public enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgresql

    public static let all = allCases
    public var description: String { rawValue }

    /// Where a new, empty workspace of this backend goes: a file in `directory`, or a database of its own in the tests' cluster.
    public func newLocation(in directory: TemporaryDirectory) throws -> String {
        switch self {
        case .sqlite: directory.path("certpush.sqlite")
        case .postgresql: try SharedPostgres.newDatabase()
        }
    }
}

/// One PostgreSQL cluster for the whole test process, started on first use
/// and stopped by its process id when the process exits; each test gets a
/// database of its own, copied from a migrated template (fast: no migration per test).
public enum SharedPostgres {
    private static let state = Mutex()
    nonisolated(unsafe) private static var cluster: PostgresFixture?
    nonisolated(unsafe) private static var made = 0

    /// The URL of a new database that holds the migrated schema and nothing else.
    public static func newDatabase() throws -> String {
        try state.locked {
            if cluster == nil {
                let started = try PostgresFixture()
                cluster = started
                atexit { SharedPostgres.stopAtExit() }
                // The template: every migration applied once, then no connection left on it.
                let admin = try PostgresLink(try PostgresLocation(url: started.url))
                try admin.execute("CREATE DATABASE certpush_template")
                let template = try PostgresLink(try PostgresLocation(url: started.url(database: "certpush_template")))
                try PostgresSchema.migrate(template, seal: { try testVault.seal($0) })
                // No keyring's check: each test's workspace is sealed with the keyring it makes.
                try template.execute("DELETE FROM setting")
            }
            made += 1
            let name = "test_\(made)"
            let admin = try PostgresLink(try PostgresLocation(url: cluster!.url))
            try admin.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE certpush_template"))
            return cluster!.url(database: name)
        }
    }

    static func stopAtExit() { cluster?.stop() }

    /// A lock around the shared cluster's state.
    final class Mutex: @unchecked Sendable {
        private let lock = NSLock()
        func locked<T>(_ body: () throws -> T) rethrows -> T {
            lock.lock()
            defer { lock.unlock() }
            return try body()
        }
    }
}

/// Whether another connection could begin a write right now: what R3's
/// tests ask at every provider call (no transaction of certpush's holds the write lock).
public func writeLockIsFree(at location: String) -> Bool {
    if PostgresLocation.names(location) {
        guard let link = try? PostgresLink(try PostgresLocation(url: location)) else { return false }
        return (try? PostgresStore.writeLockIsFree(link)) ?? false
    }
    var configuration = Configuration()
    configuration.busyMode = .immediateError
    return (try? DatabaseQueue(path: location, configuration: configuration).inTransaction(.immediate) { _ in .commit }) != nil
}

/// A suite's sandbox fixture, made by each test on the backend it is given:
/// Swift Testing makes a suite's instance before its arguments are known.
public final class FixtureOn: @unchecked Sendable {
    private var made: SandboxFixture?
    public init() {}

    /// Makes the fixture on `backend`, as `SandboxFixture(live:accounts:environment:)` would.
    public func start(_ backend: Backend, live: Bool = false, accounts: [Account] = [], environment: [String: String] = [:]) throws {
        made = try SandboxFixture(live: live, accounts: accounts, environment: environment, backend: backend)
    }

    public var fixture: SandboxFixture {
        guard let made else { fatalError("a test used its fixture before `try on.start(backend)`") }
        return made
    }
}
