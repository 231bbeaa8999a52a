import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// W2, W3: makes a workspace, training unless `--live`, at `--db` or the kind's default path.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a workspace: the training sandbox, or a live one for your accounts with --live.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "A live workspace: the accounts of config.toml, no sandbox.") var live = false
    @Flag(help: .hidden) var empty = false

    func run() throws {
        let kind: WorkspaceKind = live || empty ? .live : .training
        let paths = global.paths
        let path = global.namedDatabase ?? paths.defaultDatabase(for: kind)
        if Workspace.namesPostgres(path) {
            guard kind == .live else { throw Refusal("A workspace in PostgreSQL is a team's live one: `certpush init --live --db URL`; training stays in a file.") }
        } else if FileManager.default.fileExists(atPath: path) {
            throw Refusal("The database \(path) already exists; nothing was changed.")
        }
        let workspace = try global.openWorkspace(create: true, kind: kind, path: path)
        guard workspace.created else { throw Refusal("\(workspace.store.location) holds a workspace already; nothing was changed.") }
        if kind == .live {
            let accounts = workspace.accounts.map(\.name)
            print("Created a live workspace at \(workspace.store.location)" + (accounts.isEmpty
                ? ": no accounts yet; add [accounts.NAME] tables to config.toml." : " for \(accounts.joined(separator: ", ")).")
                + " It holds no sandbox.")
        } else {
            let count = try workspace.certificates.count(CertificateQuery())
            print("Created the training workspace at \(path): the sandbox, with \(count) certificates. Nothing in it reaches a real server or cloud.")
        }
    }
}
