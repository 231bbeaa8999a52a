import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// F5: `certpush db check` and `certpush db backup PATH`.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Check the database file, back it up while others work, or copy a live workspace into PostgreSQL.",
        subcommands: [Check.self, Backup.self, Copy.self])

    /// T5: `certpush db copy --to postgresql://USER@HOST:PORT/NAME`.
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a live workspace into an empty PostgreSQL database, ids, history and sealed keys as they were, for a team to share.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The PostgreSQL database: postgresql://USER@HOST:PORT/NAME; the password as libpq takes it (PGPASSWORD, ~/.pgpass).",
                                   valueName: "url")) var to: String

        func run() throws {
            FileLogHandler.bootstrap(path: global.paths.logFile)
            let (into, copied) = try Workspace.copyDatabase(path: global.databasePath, to: to, keyring: global.paths.keyring)
            let counts = [("certificate", "certificate"), ("resource", "resource"), ("task", "task"), ("push_record", "push record"), ("activity", "activity entry")]
                .map { Words.count(copied[$0.0] ?? 0, $0.1) }.joined(separator: ", ")
            print("Copied \(global.databasePath) into \(into): \(counts).")
        }
    }

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
