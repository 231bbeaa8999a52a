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
        subcommands: [Init.self, Certs.self, Push.self, PushRecords.self, Resources.self, Regions.self, Tasks.self, Activity.self,
                      Accounts.self, VerifyCommand.self])

    @OptionGroup var global: GlobalOptions
    @Option(help: "Console theme: default, dark, light, high-contrast, mono.") var theme: String?

    func run() throws {
        try ConsoleCommand(global: global, theme: theme).run()
    }

    /// Runs the command line and turns every refusal into one sentence on
    /// standard error with the exit code of SPEC 8.
    static func main() {
        do {
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
    @Option(name: .long, help: ArgumentHelp("The database file (default: $CERTPUSH_DB, else $XDG_DATA_HOME/certpush/certpush.sqlite).", valueName: "path"))
    var db: String?

    var paths: Paths { Paths() }
    var databasePath: String { paths.database(explicit: db) }

    func validate() throws {
        if db?.isEmpty == true { throw Refusal("--db was given an empty path; name the database file.") }
    }

    /// Only `init` and the console create a database (`create`); every other
    /// command on a missing one is refused, and creates nothing.
    /// The CLI applies the sandbox's latency only when the config asks for it:
    /// scripts want answers, the console wants something to watch.
    func openWorkspace(create: Bool = false, empty: Bool = false, console: Bool = false) throws -> Workspace {
        FileLogHandler.bootstrap(path: paths.logFile)
        let config = try Config.load(path: paths.configFile)
        let latency = config.sandboxLatencyMilliseconds ?? (console ? Config.defaultSandboxLatencyMilliseconds : 0)
        return try Workspace.open(path: databasePath, create: create, empty: empty, keyring: paths.keyring, notifyCommand: config.notifyCommand,
                                  sandboxLatencySeconds: Double(latency) / 1_000, accounts: config.accounts)
    }
}
