import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// F5: `certpush db check` and `certpush db backup PATH`.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Check the database file, or back it up while others work.", subcommands: [Check.self, Backup.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "SQLite's integrity and foreign-key checks: one line per problem; exit 1 when the file is damaged.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            FileLogHandler.bootstrap(path: global.paths.logFile)
            let path = global.databasePath
            let problems = try Workspace.checkDatabase(path: path)
            guard !problems.isEmpty else { return print("\(path): sound (integrity and foreign keys checked).") }
            for problem in problems { print("\(path): \(DisplayText.neutralized(problem))") }
            throw ExitCode(1)
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A consistent copy of the database into a new file, made while other processes work; it opens with the same keyring.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The new file.", valueName: "path")) var destination: String

        func run() throws {
            FileLogHandler.bootstrap(path: global.paths.logFile)
            try Workspace.backupDatabase(path: global.databasePath, to: destination)
            print("Backed up \(global.databasePath) to \(destination).")
        }
    }
}
