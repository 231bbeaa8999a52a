import CertpushCore
import CertpushPostgres
import CertpushStore
import Foundation

/// A real SQLite store in a folder of its own: the core's tests run on the
/// engine the product ships, not on a double that could disagree with it.
public func makeTestStore(in directory: TemporaryDirectory = TemporaryDirectory()) throws -> SQLiteStore {
    try SQLiteStore.open(path: directory.path("certpush.sqlite"), vault: testVault).store
}

/// A real store on `backend`: a file in `directory`, or a database of its own in the tests' PostgreSQL cluster (T7).
public func makeTestStore(_ backend: Backend, in directory: TemporaryDirectory = TemporaryDirectory()) throws -> any Store {
    try openTestStore(at: try backend.newLocation(in: directory))
}

/// The store at `location`, a file or a PostgreSQL URL, opened as one more process would.
public func openTestStore(at location: String) throws -> any Store {
    PostgresLocation.names(location)
        ? try PostgresStore(try PostgresLocation(url: location), vault: testVault)
        : try SQLiteStore.open(path: location, vault: testVault).store
}

/// The keyring key of tests that open a store directly.
public let testVault = try! KeyVault(keyData: Data(repeating: 7, count: 32))

public let testNow = ISO8601DateFormatter().date(from: "2026-11-22T12:00:00Z")!

public func makeTestService(store: (any Store)? = nil, time: ManualTime = ManualTime(testNow)) throws -> CertificateService {
    CertificateService(store: try store ?? makeTestStore(), time: time, user: "tester")
}
