import CertpushCore
@testable import CertpushStore
import CertpushSetup
import CertpushTestSupport
import Foundation
import GRDB
import Testing

/// Private keys at rest: sealed under the keyring's key, which lives outside the database.
@Suite struct KeysAtRestTests {
    /// Every byte the database keeps on disk: the file and its write-ahead log.
    func onDisk(_ path: String) throws -> String {
        let files = [path, path + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        return try files.map { String(decoding: try Data(contentsOf: URL(fileURLWithPath: $0)), as: UTF8.self) }.joined()
    }

    @Test("private keys and the sandbox CA's key are sealed: the database alone holds no key")
    func sealed() throws {
        let fixture = try SandboxFixture()
        let keyPEM = try String(contentsOf: Fixtures.url("rsa-www.key.pem"), encoding: .utf8)
        let imported = try fixture.certificates.importCertificate(ImportRequest(
            certificate: Fixtures.file("rsa-www.crt.pem"), key: Fixtures.file("rsa-www.key.pem")))
        let disk = try onDisk(fixture.databasePath)
        #expect(!disk.contains("PRIVATE KEY"))
        #expect(!disk.contains(String(keyPEM.split(separator: "\n")[1])))
        let unsealed = try fixture.workspace.store.read { try $0.privateKeyPEM(of: imported.id) }
        #expect(unsealed?.contains("PRIVATE KEY") == true)
        #expect(try fixture.workspace.store.read { try $0.secret(forKey: "sandbox.ca.key") }?.contains("PRIVATE KEY") == true)
    }

    @Test("opened with another keyring, a database is refused and left untouched")
    func wrongKeyring() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("db.sqlite")
        _ = try SQLiteStore.open(path: path, vault: testVault)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let other = try KeyVault(keyData: Data(repeating: 9, count: 32))
        #expect(throws: StoreError(path: path, reason: .wrongKeyring)) { try SQLiteStore.open(path: path, vault: other) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("a database from before sealing has its plaintext keys sealed by migration v5")
    func migration() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("old.sqlite")
        let plaintext = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator(vault: nil).migrate(queue, upTo: "v4-intents-and-leases")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO certificate (id, name, key_algorithm, family, source, lifecycle, issuer, serial, has_private_key, manual_csr, shared,
                    created_at, search_text) VALUES (1, 'old', 'EC-P256', 'international', 'uploaded', 'hosted', '', '01', 1, 0, 0, 0, '');
                INSERT INTO private_key (certificate_id, pem) VALUES (1, ?);
                INSERT INTO setting (key, value) VALUES ('sandbox.ca.key', ?);
                """, arguments: [plaintext, plaintext])
        }
        try queue.close()
        let store = try SQLiteStore.open(path: path, vault: testVault).store
        #expect(!(try onDisk(path)).contains("PRIVATE KEY"))
        #expect(try store.read { try $0.privateKeyPEM(of: CertificateID(1)) } == plaintext)
        #expect(try store.read { try $0.secret(forKey: "sandbox.ca.key") } == plaintext)
    }

    @Test("the keyring is made 0600 in a 0700 folder; one others may read, or a damaged one, is refused with a sentence")
    func keyring() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("data/certpush/keyring")
        // F4: made only when asked (for a database being made); never in place of a missing one.
        #expect(throws: KeyringError.self) { try Keyring.vault(at: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
        _ = try Keyring.vault(at: path, create: true)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: directory.path("data/certpush"))[.posixPermissions] as? Int == 0o700)
        let sealed = try Keyring.vault(at: path).seal("x")
        #expect(try Keyring.vault(at: path).open(sealed) == "x")
        chmod(path, 0o644)
        #expect(throws: KeyringError(path: path, problem: "others may read it (mode 644); make it private with chmod 600")) {
            try Keyring.vault(at: path)
        }
        chmod(path, 0o600)
        try "not a key\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: KeyringError(path: path, problem: "it is damaged: it does not hold a key")) { try Keyring.vault(at: path) }
    }
}
