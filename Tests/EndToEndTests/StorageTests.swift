import CertpushTestSupport
import Foundation
import GRDB
import Testing

/// SPEC 16: what storage does under the commands. F1: a command that only
/// reads leaves a live workspace's file as it was, byte for byte.
@Suite struct StorageTests {
    let cli = ConfiguredCLI()

    func digest(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func schemaVersion() throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: cli.db, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { try Int.fetchOne($0, sql: "PRAGMA schema_version") ?? -1 }
    }

    @Test("F1: every command that only reads leaves a live workspace's file byte for byte as it was, its schema version too")
    func readsNeverWrite() throws {
        try cli.initLive(config: nil, certificates: 3)
        let version = try schemaVersion(), before = try digest(cli.db)
        let reads: [[String]] = [
            ["status"], ["status", "--json"], ["certs", "list"], ["certs", "list", "--json"], ["certs", "show", "c1"],
            ["certs", "show", "c2", "--json"], ["resources", "list"], ["resources", "list", "--json"], ["tasks", "list"],
            ["tasks", "list", "--json"], ["activity"], ["activity", "--json"], ["regions", "--json"], ["accounts"],
            ["push-records", "c1"], ["verify"], ["tasks", "preview", "--name", "p", "--cert", "c1", "--match", "--json"],
        ]
        for arguments in reads {
            let result = try cli(arguments, config: nil)
            #expect(result.status == 0 || result.status == 2, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("SQLite"), "\(arguments): \(result.stderr)")
            #expect(try digest(cli.db) == before, "certpush \(arguments.joined(separator: " ")) changed the file")
        }
        #expect(try schemaVersion() == version)
        // A change still changes it, through the same path.
        #expect(try cli(["certs", "rename", "c1", "renamed"], config: nil).status == 0)
        #expect(try cli(["certs", "show", "c1"], config: nil).stdout.contains("renamed"))
    }
}
