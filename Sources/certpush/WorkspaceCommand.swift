import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// W7: `certpush workspace split`.
struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Workspaces: split a database from before workspaces into a training and a live one.",
        subcommands: [Split.self])

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a database that holds both the sandbox and real accounts' work; the original is kept as FILE.before-split.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Where to write the two parts (default: the default paths).", valueName: "dir")) var to: String?

        func run() throws {
            FileLogHandler.bootstrap(path: global.paths.logFile)
            let path = try global.databaseFile(for: "workspace split")
            let outcome = try Workspace.split(path: path, into: to, paths: global.paths, keyring: global.paths.keyring)
            for (title, part) in [("training", outcome.training), ("live", outcome.live)] {
                print("The \(title) part: \(part.path) (\(Words.count(part.certificates, "certificate")), \(Words.count(part.resources, "resource")), \(Words.count(part.tasks, "task"))).")
            }
            print("The original is kept, unchanged, as \(outcome.original).")
        }
    }
}
