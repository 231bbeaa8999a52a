import CertpushCore
import CertpushPostgres
import CertpushStore

extension Workspace {
    /// F5: SQLite's integrity and foreign-key checks on the file at `path`: one line per problem.
    public static func checkDatabase(path: String) throws -> [String] { try DatabaseMaintenance.check(path: path) }

    /// F5: a consistent copy of the file at `path` into the new file `destination`, while others write.
    public static func backupDatabase(path: String, to destination: String) throws {
        try DatabaseMaintenance.backup(path: path, to: destination)
    }

    /// T5: the live workspace in the SQLite file at `path` copied into the
    /// empty PostgreSQL database at `url`: ids, history and sealed keys as
    /// they were, in one transaction. The keyring at `keyring` must be the
    /// workspace's: the team's bastions open the copy with it. Where it went
    /// (the URL without its password), and the rows copied per table.
    public static func copyDatabase(path: String, to url: String, keyring: String) throws -> (into: String, copied: [String: Int]) {
        let location = try PostgresLocation(url: url)
        let vault = try Keyring.vault(at: keyring)
        // Opening it checks the keyring against the workspace's own check.
        let workspace = try Workspace.open(path: path, create: false, forReading: true, keyring: keyring)
        guard workspace.kind == .live else {
            throw Refusal("\(path) is not a live workspace: a team shares real accounts' work, so only a live workspace is copied into PostgreSQL.")
        }
        let link = try PostgresLink(location)
        let copied = try PostgresCopy.importWorkspace(into: link, seal: { try vault.seal($0) }) { body in
            try DatabaseMaintenance.export(path: path, body)
        }
        return (location.description, copied)
    }
}
