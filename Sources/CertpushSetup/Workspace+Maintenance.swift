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

    /// T5, back: the workspace in the PostgreSQL database at `url` copied
    /// into a new SQLite file at `path`, ids, history and sealed keys as they
    /// were; the keyring must be the team's. Where it came from, and the rows copied per table.
    public static func copyDatabase(from url: String, to path: String, keyring: String) throws -> (from: String, copied: [String: Int]) {
        let location = try PostgresLocation(url: url)
        let vault = try Keyring.vault(at: keyring)
        let link = try PostgresLink(location)
        let copied = try DatabaseMaintenance.importWorkspace(path: path, vault: vault) { body in
            try PostgresCopy.exportWorkspace(from: link, opensCheck: { (try? vault.open($0)) == KeyringCheck.text }, body)
        }
        return (location.description, copied)
    }

    /// Whether `--db` or `--to` names a PostgreSQL database rather than a file (T1).
    public static func namesPostgres(_ text: String) -> Bool { PostgresLocation.names(text) }
}
