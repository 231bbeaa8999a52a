import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// SPEC 10: the accounts resources belong to, and a proof that each answers.
struct Accounts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The accounts resources belong to: the sandbox, servers, clouds ([accounts.NAME] in config.toml).",
        subcommands: [List.self, Check.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every account, its kind, resources and last synchronization.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let workspace = try global.openWorkspace(forReading: true)
            let (counts, synced) = try workspace.store.read { db in
                (try db.resourceCountsByAccount(),
                 try workspace.accounts.map { try db.value(forKey: DeploymentService.lastSyncKey($0.name)) })
            }
            let rows = zip(workspace.accounts, synced).map { account, lastSync in
                AccountJSON(name: account.name, kind: account.kind.rawValue, resources: counts[account.name] ?? 0, lastSync: lastSync)
            }
            if json { return try printJSON(rows) }
            if let note = workspace.unusedAccountsNote { print(note) }
            if rows.isEmpty {
                print("No accounts: this live workspace has none until config.toml names them ([accounts.NAME] tables).")
                return
            }
            printTable(header: ["NAME", "KIND", "RESOURCES", "LAST SYNC"], rows: rows.map {
                [$0.name, $0.kind, "\($0.resources)", Formats.minute(isoText: $0.lastSync) ?? "never"]
            })
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove an account answers: one cheap call (for servers, the server's own tool on each host).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account's name.") var name: String

        func run() throws {
            let workspace = try global.openWorkspace(forReading: true)
            let account = try workspace.account(named: name)
            let lines = try workspace.check(account)
            for line in lines { print(line.line) }
            if lines.contains(where: \.failed) { throw ExitCode(1) }
        }
    }
}

struct AccountJSON: Encodable {
    var name: String
    var kind: String
    var resources: Int
    @Nullable var lastSync: String?
}
