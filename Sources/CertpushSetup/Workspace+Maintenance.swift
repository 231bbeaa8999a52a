import CertpushStore

extension Workspace {
    /// F5: SQLite's integrity and foreign-key checks on the file at `path`: one line per problem.
    public static func checkDatabase(path: String) throws -> [String] { try DatabaseMaintenance.check(path: path) }

    /// F5: a consistent copy of the file at `path` into the new file `destination`, while others write.
    public static func backupDatabase(path: String, to destination: String) throws {
        try DatabaseMaintenance.backup(path: path, to: destination)
    }
}
