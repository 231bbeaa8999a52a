import CertpushCore

/// What a database holds, for telling a database made before workspaces
/// apart (W7): each question is one indexed look, never a scan.
extension SQLSession {
    func workspaceContents() throws -> WorkspaceContents {
        let sandbox = try db.one(as: Bool.self, """
            SELECT EXISTS (SELECT 1 FROM setting WHERE key IN ('sandbox.seeded', 'sandbox.ca.certificate'))
                OR EXISTS (SELECT 1 FROM resource WHERE account = 'sandbox')
            """) ?? false
        let real = try db.one(as: Bool.self, """
            SELECT EXISTS (SELECT 1 FROM resource WHERE account < 'sandbox' OR account > 'sandbox')
                OR EXISTS (SELECT 1 FROM push_record WHERE account <> 'sandbox')
                OR EXISTS (SELECT 1 FROM task_pair WHERE account IS NOT NULL)
            """) ?? false
        return WorkspaceContents(holdsSandbox: sandbox, holdsReal: real)
    }
}
