import CertpushConsole
import CertpushCore
import CertpushSetup
import Foundation
import TerminalCurses
import TerminalKit

/// `certpush` with no subcommand: the console on a real terminal.
struct ConsoleCommand {
    var global: GlobalOptions
    var theme: String?

    func run() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw Refusal("The console needs a terminal; for scripts use a subcommand (see certpush --help).")
        }
        let paths = global.paths
        let config = try Config.load(path: paths.configFile)
        let chosenTheme = try ThemeChoice(explicit: theme, config: config, paths: paths).load()
        let workspace = try global.openWorkspace(create: true, console: true)
        Workspace.logger.info("console started", metadata: ["db": "\(workspace.store.location)"])

        guard let backend = CursesBackend() else {
            throw Refusal("The console could not start curses on this terminal.")
        }
        var context = ConsoleContext(
            certificates: workspace.certificates, push: workspace.push, deployments: workspace.deployments, databaseLabel: workspace.store.location, workspace: workspace.kind,
            theme: ThemeChoice.adapt(chosenTheme, colors: backend.colors), expiry: config.expiryPolicy,
            readFile: InputFile.load(path:), background: ThreadRunner())
        context.accounts = workspace.accounts
        // T3: changes other bastions commit are heard on a connection of its own.
        context.changes = try workspace.listeningForChanges()
        context.training = workspace.training
        context.notice = workspace.kind == .needsSplit ? WorkspaceKind.splitSentence(path: global.databasePath) : workspace.unusedAccountsNote
        // A training workspace has no servers to handshake with (W1).
        if workspace.kind == .live { context.verify = { id in
            guard let found = try workspace.verify([id]).first else {
                return ("\(id) is not a server site certpush found.", true)
            }
            let words = found.ok ? "serves \(found.served), as certpush recorded." : "serves \(found.served), not \(found.expected) as certpush recorded: drift."
            return ("\(found.resource) \(found.name) " + words, !found.ok)
        } }
        context.synchronize = {
            "Synchronized " + (try workspace.synchronize()).map(\.sentence).joined(separator: " ")
        }
        Runtime.run(Console(context: context), on: backend)
        backend.stop()
        Workspace.logger.info("console closed")
    }
}

/// Which theme: `--theme`, else `CERTPUSH_THEME`, else the config file, else
/// default; `NO_COLOR` forces mono.
struct ThemeChoice {
    var explicit: String?
    var config: Config
    var paths: Paths

    var name: String {
        if let value = paths.environment["NO_COLOR"], !value.isEmpty { return "mono" }
        return explicit ?? paths.environment["CERTPUSH_THEME"].flatMap { $0.isEmpty ? nil : $0 } ?? config.theme ?? "default"
    }

    /// User themes first, then the package's `themes/` (beside the checkout
    /// the binary was built in, or the working folder), then the stock ones.
    var folders: [String] {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folders = [paths.userThemes]
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            folders.append(folder.appendingPathComponent("themes").path)
            folder = folder.deletingLastPathComponent()
        }
        folders.append(FileManager.default.currentDirectoryPath + "/themes")
        return folders
    }

    func load() throws -> Theme {
        do { return try Theme.load(named: name, searching: folders) } catch let error as ThemeError {
            throw Refusal(error.description)
        }
    }

    static func adapt(_ theme: Theme, colors: Int) -> Theme {
        colors == 0 ? Theme.mono : theme.limited(toColors: colors)
    }
}
