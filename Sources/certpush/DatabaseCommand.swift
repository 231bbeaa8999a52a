import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// F5: `certpush db check` and `certpush db backup PATH`.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Check the database file, back it up while others work, or copy a live workspace into PostgreSQL.",
        subcommands: [Check.self, Backup.self, Copy.self])

    /// T5: `certpush db copy --to postgresql://USER@HOST:PORT/NAME`, and back:
    /// `certpush --db postgresql://… db copy --to PATH`.
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a live workspace into an empty PostgreSQL database, or (with --db postgresql://…) from one into a new file; ids, history and sealed keys as they were.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Where to: postgresql://USER@HOST:PORT/NAME (the password as libpq takes it: PGPASSWORD, ~/.pgpass), or a new file when --db names PostgreSQL.",
                                   valueName: "url-or-path")) var to: String

        func run() throws {
            FileLogHandler.bootstrap(path: global.paths.logFile)
            let keyring = global.paths.keyring
            let from: String, into: String, copied: [String: Int]
            if let db = global.namedDatabase, Workspace.namesPostgres(db) {
                guard !Workspace.namesPostgres(to) else { throw Refusal("From PostgreSQL, --to names the new file to copy the workspace into.") }
                (from, copied) = try Workspace.copyDatabase(from: db, to: to, keyring: keyring)
                into = to
            } else {
                guard Workspace.namesPostgres(to) else {
                    throw Refusal("--to names the PostgreSQL database to copy into: postgresql://USER@HOST:PORT/NAME. For a copy into a file, `certpush db backup PATH`.")
                }
                (into, copied) = try Workspace.copyDatabase(path: global.databasePath, to: to, keyring: keyring)
                from = global.databasePath
            }
            let counts = [("certificate", "certificate", nil), ("resource", "resource", nil), ("task", "task", nil),
                          ("push_record", "push record", nil), ("activity", "activity entry", "activity entries")]
                .map { Words.count(copied[$0.0] ?? 0, $0.1, plural: $0.2) }.joined(separator: ", ")
            print("Copied \(from) into \(into): \(counts).")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "SQLite's integrity and foreign-key checks: one line per problem; exit 1 when the file is damaged.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            FileLogHandler.bootstrap(path: global.paths.logFile)
            let path = try global.databaseFile(for: "db check")
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
            let path = try global.databaseFile(for: "db backup")
            try Workspace.backupDatabase(path: path, to: destination)
            print("Backed up \(path) to \(destination).")
        }
    }
}
