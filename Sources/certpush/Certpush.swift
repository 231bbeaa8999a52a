import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

@main
struct Certpush: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certpush",
        abstract: "Keep SSL certificates, push them to cloud services, deploy and roll back.",
        discussion: "With no subcommand, certpush opens the console.",
        version: "certpush \(certpushVersion)",
        subcommands: [Init.self, Status.self, WorkspaceCommand.self, Training.self, ExercisesCommand.self, Certs.self, Push.self, PushRecords.self, Resources.self, Regions.self, Tasks.self, Activity.self,
                      Accounts.self, VerifyCommand.self, DatabaseCommand.self])

    @OptionGroup var global: GlobalOptions
    @Option(help: "Console theme: default, dark, light, high-contrast, mono.") var theme: String?

    func run() throws {
        try ConsoleCommand(global: global, theme: theme).run()
    }

    /// Runs the command line and turns every refusal into one sentence on
    /// standard error with the exit code of SPEC 8.
    static func main() {
        // A key pasted on the command line is never echoed back, by the parser's errors or ours.
        if CommandLine.arguments.dropFirst().contains(where: { $0.contains("PRIVATE KEY") }) {
            FileHandle.standardError.write(Data("certpush: an argument holds a private key; certpush reads keys from files (--key FILE), never from the command line, and shows none.\n".utf8))
            Foundation.exit(2)
        }
        do {
            // `certpush` alone opens the console: no command tree to build first (SPEC 9: first screen < 100 ms).
            if CommandLine.arguments.count == 1 { return try ConsoleCommand(global: GlobalOptions.parse([]), theme: nil).run() }
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CertpushError {
            FileHandle.standardError.write(Data("certpush: \(DisplayText.neutralized(error.sentence))\n".utf8))
            Foundation.exit(error.outcome.exitCode)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { self.exit(withError: error) }
            // Usage mistakes are bad input: exit 2, like every other refusal.
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The database: a file, or a team's postgresql://USER@HOST:PORT/NAME (default: $CERTPUSH_DB, else config.toml's database, else the live workspace $XDG_DATA_HOME/certpush/certpush.sqlite when it exists, else the training one, training.sqlite beside it).",
        valueName: "path"))
    var db: String?
    @Flag(help: "Use the training workspace ($XDG_DATA_HOME/certpush/training.sqlite).") var training = false

    var paths: Paths { Paths() }
    var databasePath: String { paths.database(explicit: db ?? configuredDatabase, training: training) }
    /// `--db`, else `CERTPUSH_DB`, else config.toml's `database` (T1): nil when a default path is used.
    var namedDatabase: String? { paths.namedDatabase(explicit: db, training: training) ?? (training ? nil : configuredDatabase) }
    /// config.toml's `database`, unless CERTPUSH_DB names one; a broken config is reported when the workspace opens.
    private var configuredDatabase: String? {
        guard paths.namedDatabase(explicit: nil, training: training) == nil, !training else { return nil }
        return (try? Config.load(path: paths.configFile))?.database
    }

    /// The database file a command that works on files (check, backup, split) is for; PostgreSQL has its own tools.
    func databaseFile(for command: String) throws -> String {
        let path = databasePath
        guard !Workspace.namesPostgres(path) else {
            throw Refusal("`certpush \(command)` works on a workspace's file; a workspace in PostgreSQL is checked and backed up with PostgreSQL's own tools (pg_dump), or copied into a file with `certpush db copy --to PATH`.")
        }
        return path
    }

    func validate() throws {
        if db?.isEmpty == true { throw Refusal("--db was given an empty path; name the database file.") }
        if db != nil && training { throw Refusal("--db and --training each name a database; give one of them.") }
    }

    /// Only `init` and the console create a database (`create`, as a
    /// workspace of `kind`); every other command on a missing one is
    /// refused, and creates nothing. The CLI applies the sandbox's latency
    /// only when the config asks for it: scripts want answers, the console
    /// wants something to watch. A database that needs a split says so on
    /// every command (W7).
    /// `forReading` for a command that only reads (F1): a live workspace's file is left as it was.
    func openWorkspace(create: Bool = false, forReading: Bool = false, kind: WorkspaceKind = .training, path: String? = nil,
                       console: Bool = false) throws -> Workspace {
        FileLogHandler.bootstrap(path: paths.logFile)
        let config = try Config.load(path: paths.configFile)
        let latency = config.sandboxLatencyMilliseconds ?? (console ? Config.defaultSandboxLatencyMilliseconds : 0)
        let path = path ?? databasePath
        // T1: a team's workspace in PostgreSQL is live; the console's first start makes one live there.
        let kind = Workspace.namesPostgres(path) ? .live : kind
        if !create, !training, namedDatabase == nil, !FileManager.default.fileExists(atPath: path) {
            throw Refusal("There is no workspace yet: `certpush init` makes the training one (so does `certpush` alone, opening the console), `certpush init --live` a live one for your accounts.")
        }
        let workspace = try Workspace.open(path: path, create: create, forReading: forReading, kind: kind, keyring: paths.keyring,
                                           notifyCommand: config.notifyCommand,
                                           sandboxLatencySeconds: Double(latency) / 1_000, accounts: config.accounts)
        if workspace.kind == .needsSplit, !console {
            FileHandle.standardError.write(Data("certpush: \(WorkspaceKind.splitSentence(path: path))\n".utf8))
        }
        return workspace
    }
}
