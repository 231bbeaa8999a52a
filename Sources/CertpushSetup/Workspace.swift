import CertpushCore
import CertpushPostgres
import CertpushSandbox
import CertpushServers
import CertpushStore
import Foundation
import Logging

/// An opened database with the services over it: what the console and the
/// CLI start from. Its kind (SPEC 14) decides what it is handed: a training
/// workspace gets the sandbox and nothing else, so nothing in it can reach a
/// server or a cloud (W1); a live one gets the configured accounts and no
/// sandbox (W2); one that needs a split can only be read (W7).
public struct Workspace: Sendable {
    public let store: any Store
    public let certificates: CertificateService
    public let push: PushService
    public let deployments: DeploymentService
    /// W6: reset and fix; only a training workspace has it.
    public let training: TrainingService?
    /// Who acts on each account's resources: its kind's driver (`AccountDrivers`).
    public let drivers: Drivers
    /// True when this open made the database.
    public let created: Bool
    public let kind: WorkspaceKind
    /// The accounts resources belong to (SPEC 10): the sandbox's in a
    /// training workspace, those `config.toml` names in a live one.
    public let accounts: [Account]
    /// Accounts `config.toml` names that this workspace does not use: all of
    /// them in a training workspace (W1).
    public let unusedAccounts: [Account]
    public let time: any TimeSource
    public let user: String
    public let credentials: Credentials
    /// T3: a team's workspace in PostgreSQL, for a console that shows what other bastions change.
    let changes: PostgresStore?

    /// Where the changes other processes commit are heard, for a console
    /// that shows them within a second: PostgreSQL's notifications on a
    /// connection of their own (T3), or a file's data version (SPEC 9).
    public func listeningForChanges() throws -> (any ChangeFeed)? {
        guard let changes else { return SQLiteChanges(path: store.location) }
        try changes.listenForChanges()
        return changes
    }

    public static let logger = Logger(label: "certpush")

    public var isTraining: Bool { kind == .training }

    /// Opens the database at `path`. A missing one is created only when
    /// `create` is set (`init` and the console), as a workspace of `newKind`:
    /// training (seeded with the sandbox) unless live.
    ///
    /// `forReading` (F1): for a command that only reads. A live workspace is
    /// then opened read-only, its file's bytes left as they were; a training
    /// one too, until its exercise log first notes a read (E3).
    public static func open(path: String, create: Bool = true, forReading: Bool = false, kind newKind: WorkspaceKind = .training,
                            keyring: String = Paths().keyring,
                            time: any TimeSource = SystemTime(), user: String = currentUser(), notifyCommand: String? = nil,
                            sandboxLatencySeconds: Double = 0, accounts configured: [Account] = [],
                            credentials: Credentials = Credentials()) throws -> Workspace {
        let configured = configured.map { AccountDrivers.of($0.kind).completed($0) }
        let (store, kind, created, changes) = PostgresLocation.names(path)
            ? try openPostgres(url: path, create: create, forReading: forReading, kind: newKind, keyring: keyring, time: time, user: user)
            : try openFile(path: path, create: create, forReading: forReading, kind: newKind, keyring: keyring, time: time, user: user)
        let context = DriverContext(store: store, credentials: credentials, sandboxLatency: sandboxLatencySeconds)
        let accounts: [Account]
        switch kind {
        case .training: accounts = [.sandbox]
        case .live: accounts = configured
        case .needsSplit: accounts = []
        }
        // The first account of a name wins, as config.toml's parser allows but one.
        let drivers = Drivers(Dictionary(accounts.map { ($0.name, AccountDrivers.of($0.kind).actions(for: $0, in: context)) },
                                         uniquingKeysWith: { first, _ in first }))
        let isAlive: @Sendable (Int32) -> Bool = { pid in kill(pid, 0) == 0 || errno == EPERM }
        // E3: only a training workspace keeps an exercise log.
        let exercises = kind == .training ? ExerciseLog(store: store, time: time) : nil
        var certificates = CertificateService(store: store, time: time, user: user)
        certificates.exercises = exercises
        var push = PushService(store: store, drivers: drivers, time: time, user: user, processID: getpid(), isAlive: isAlive, accounts: accounts)
        push.exercises = exercises
        var deployments = DeploymentService(
            store: store, drivers: drivers, time: time, user: user, processID: getpid(), isAlive: isAlive,
            deliver: { notification in Notifier.deliver(notification, command: notifyCommand) })
        deployments.exercises = exercises
        return Workspace(
            store: store, certificates: certificates, push: push, deployments: deployments,
            training: kind == .training
                ? TrainingService(store: store, time: time, user: user, seeder: SandboxSeed.Seeder(time: time, user: user)) : nil,
            drivers: drivers,
            created: created, kind: kind, accounts: accounts, unusedAccounts: kind == .training ? configured : [],
            time: time, user: user, credentials: credentials, changes: changes)
    }

    /// The SQLite file at `path`, made when missing and `create` allows; a
    /// training workspace read by a command that only reads, opened for writing on its first exercise note.
    private static func openFile(path: String, create: Bool, forReading: Bool, kind newKind: WorkspaceKind, keyring: String,
                                 time: any TimeSource, user: String) throws -> (any Store, WorkspaceKind, Bool, PostgresStore?) {
        // F4: a keyring is made only with the database it seals (init, the console's first start).
        let keyringWasThere = FileManager.default.fileExists(atPath: keyring)
        let vault = try Keyring.vault(at: keyring, create: SQLiteStore.wouldCreate(path: path, create: create))
        let opened: SQLiteStore.Opened
        do {
            opened = try SQLiteStore.open(path: path, create: create, vault: vault, forReading: forReading)
            if opened.created {
                do {
                    try make(opened.store, kind: newKind == .live ? .live : .training, path: path, time: time, user: user)
                } catch {
                    // F3: an init that could not finish (a full disk) leaves no file behind.
                    SQLiteStore.removeDatabase(at: path)
                    throw error
                }
            }
        } catch {
            // F3, F4: nor a keyring made for the database it could not make.
            if !keyringWasThere { unlink(keyring) }
            throw error
        }
        let kind = try opened.store.read { db in
            try WorkspaceKind.of(stored: db.value(forKey: WorkspaceKind.settingKey), madeEmpty: db.value(forKey: "created.as") == "empty",
                                 contents: { try db.workspaceContents() })
        }
        let store: any Store
        switch kind {
        case .needsSplit:
            store = ReadOnlyStore(opened.store, refusal: Refusal("Nothing was changed: this database can only be read until it is split (certpush workspace split)."))
        case .live where forReading:
            store = ReadOnlyStore(opened.store, refusal: Refusal("Nothing was changed: this command only reads the workspace."))
        case .training where forReading:
            // Its reads are exercises (E3): opened for writing when one is first noted, not before.
            store = OpenedOnWrite(reader: opened.store) { try SQLiteStore.open(path: path, create: false, vault: vault).store }
        case .live, .training:
            store = opened.store
        }

        return (store, kind, opened.created, nil)
    }

    /// T1: the workspace in the PostgreSQL database at `url`, made there
    /// (its schema, then its kind) when the database holds none and `create`
    /// allows. T4: with a keyring that is not the workspace's, it can be read
    /// and every change is refused, nothing changed.
    private static func openPostgres(url: String, create: Bool, forReading: Bool, kind newKind: WorkspaceKind, keyring: String,
                                     time: any TimeSource, user: String) throws -> (any Store, WorkspaceKind, Bool, PostgresStore?) {
        let location = try PostgresLocation(url: url)
        let empty = try PostgresStore.isEmpty(location)
        guard create || !empty else {
            throw Refusal("PostgreSQL at \(location) holds no certpush workspace; `certpush init --live --db URL` makes one there.")
        }
        let vault = try Keyring.vault(at: keyring, create: empty)
        let opened = try PostgresStore(location, vault: vault)
        let created = try make(opened, kind: newKind == .live ? .live : .training, path: location.description, time: time, user: user)
        let kind = try opened.read { db in
            try WorkspaceKind.of(stored: db.value(forKey: WorkspaceKind.settingKey), madeEmpty: false, contents: { try db.workspaceContents() })
        }
        let store: any Store
        if try !opened.keyringIsTheWorkspaces() {
            store = ReadOnlyStore(opened, refusal: Refusal("""
                Nothing was changed: the keyring \(keyring) is not the one the workspace in PostgreSQL at \(location) was sealed with; \
                this bastion may read, and needs the team's keyring (CERTPUSH_KEYRING) to change anything.
                """))
        } else if forReading && kind == .live {
            store = ReadOnlyStore(opened, refusal: Refusal("Nothing was changed: this command only reads the workspace."))
        } else {
            store = opened
        }
        return (store, kind, created, opened)
    }

    /// A new database becomes a workspace of `kind`, in as few commits as the
    /// sandbox's seed allows; the kind is written first, so a kill during the
    /// seed leaves a training workspace that `training reset` completes.
    /// Whether this call made it: two bastions making one in PostgreSQL at
    /// once, the first to write the kind makes it and the other opens it.
    @discardableResult
    private static func make(_ store: any Store, kind: WorkspaceKind, path: String, time: any TimeSource, user: String) throws -> Bool {
        let made = try store.write { db -> Bool in
            guard try db.value(forKey: WorkspaceKind.settingKey) == nil else { return false }
            try db.setValue(kind.rawValue, forKey: WorkspaceKind.settingKey)
            try db.append(ActivityEntry(at: time.now(), user: user, action: "workspace.create", subject: path, detail: kind.rawValue))
            return true
        }
        guard made else { return false }
        if kind == .training { try SandboxSeed.seed(store, time: time, user: user) }
        logger.info("created workspace", metadata: ["path": "\(path)", "kind": "\(kind.rawValue)"])
        return true
    }

    /// W1: the one line a training workspace says when config.toml names accounts.
    public var unusedAccountsNote: String? {
        guard !unusedAccounts.isEmpty else { return nil }
        return "Training workspace: the accounts in config.toml (\(unusedAccounts.map(\.name).joined(separator: ", "))) are not used here; `certpush init --live` makes a live one."
    }

    /// D16: the named account's resources, or every account's, read again
    /// from where they live. A sentence per account; one that fails does not
    /// stop the others.
    public func synchronize(_ name: String? = nil) throws -> [(sentence: String, failed: Bool)] {
        let chosen = try name.map { [try account(named: $0)] } ?? accounts
        return chosen.map { account in
            do {
                return try deployments.synchronize(account)
            } catch {
                return ("\(account.name): \((error as? CertpushError)?.sentence ?? "\(error)")", true)
            }
        }
    }

    /// `accounts check`: the account's one cheap proof that it answers, a line per part.
    public func check(_ account: Account) throws -> [(line: String, failed: Bool)] {
        try AccountDrivers.of(account.kind).check(account, in: DriverContext(store: store, credentials: credentials))
    }

    /// S5: what each resource serves now, by handshake, for the accounts whose driver can tell (every such resource when `ids` is empty).
    public func verify(_ ids: [ResourceID] = [], account: String? = nil) throws -> [SiteVerification] {
        if let account { _ = try self.account(named: account) }
        let verifying = drivers.byAccount.filter { $0.value.verifier != nil && (account == nil || $0.key == account) }.keys.sorted()
        let resources = try store.read { db -> [CloudResource] in
            guard !ids.isEmpty else { return try verifying.flatMap { try db.resources(ResourceFilter(account: $0)) } }
            // Named ones: each must be there, and on an account whose sites can be handshaken with.
            let found = try db.resources(ids)
            for id in ids {
                guard let resource = found.first(where: { $0.id == id }) else { throw Refusal("There is no resource \(id).") }
                guard verifying.contains(resource.account) else {
                    let service = CloudService.named(resource.service)?.label ?? resource.service
                    throw Refusal("\(id) (\(service), account \(DisplayText.neutralized(resource.account))) is not a server site: verify handshakes with the sites of servers accounts only.")
                }
            }
            return found
        }
        let byAccount = Dictionary(grouping: resources, by: \.account)
        return try byAccount.keys.sorted().flatMap { account in
            try (drivers.byAccount[account]?.verifier?.verify(byAccount[account] ?? []) ?? []).map { result in
                var result = result
                result.account = account
                return result
            }
        }.sorted { $0.resource.rawValue < $1.resource.rawValue }
    }

    /// The account called `name`, or a sentence listing those there are.
    public func account(named name: String) throws -> Account {
        guard let account = accounts.first(where: { $0.name == name }) else {
            let known = accounts.map(\.name)
            throw Refusal("There is no account \(DisplayText.neutralized(name))" + (known.isEmpty ? "; none is configured." : "; the accounts are \(known.joined(separator: ", ")).")
                          + " Accounts are [accounts.NAME] tables in config.toml.")
        }
        return account
    }

    public static func currentUser() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let name = getpwuid(geteuid())?.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? "unknown"
    }
}

/// D15: runs `notify_command` once per notification, the message on its
/// standard input, for at most `timeLimit` seconds, through the one process
/// runner servers use too (`Subprocess`: TERM, a second's grace, KILL). What
/// goes wrong is logged and returned as a sentence for the outbox, never
/// shown on the console's terminal, and never stops the other notifications.
public enum Notifier {
    public static let timeLimit: TimeInterval = 10

    /// Why a notification stays in the outbox unsent when nothing is set to send it.
    public static let noCommand = "not sent: no notify_command is set in config.toml"

    /// The message on standard input; in the environment, what a script needs to
    /// send it on: CERTPUSH_TASK (t6), CERTPUSH_STATUS (partially_failed),
    /// CERTPUSH_CONTACT (the contact's name) and CERTPUSH_EMAIL (its address).
    public static func deliver(_ notification: TaskNotification, command: String?, timeLimit: TimeInterval = timeLimit) -> String? {
        guard let command, !command.isEmpty else { return noCommand }
        let environment = ProcessInfo.processInfo.environment.merging([
            "CERTPUSH_TASK": notification.taskID.description, "CERTPUSH_STATUS": notification.taskStatus,
            "CERTPUSH_CONTACT": notification.contact, "CERTPUSH_EMAIL": notification.email,
        ]) { $1 }
        let failure: String?
        do {
            let output = try Subprocess.run("/bin/sh", ["-c", command], input: Data((notification.message + "\n").utf8),
                                            timeLimit: timeLimit, environment: environment)
            if output.timedOut {
                failure = "notify_command timed out after \(Int(timeLimit.rounded())) s"
            } else if let signal = output.signal {
                failure = "notify_command was killed by signal \(signal)"
            } else if output.status != 0 {
                failure = "notify_command exited with status \(output.status)"
            } else {
                failure = output.inputUnread ? "notify_command did not read the message" : nil
            }
        } catch {
            failure = "notify_command could not start: \(error.localizedDescription)"
        }
        if let failure {
            Workspace.logger.warning("notification not delivered", metadata: [
                "task": "\(notification.taskID)", "contact": "\(notification.contact)", "why": "\(failure)"])
        }
        return failure
    }
}

extension InputFile {
    /// Reads a file the user named; a missing or unreadable one is refused
    /// with a sentence naming it (SPEC C5).
    public static func load(path: String) throws -> InputFile {
        let name = (path as NSString).lastPathComponent
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Refusal("\(name) cannot be read: " + (errno == EACCES ? "permission denied." : "there is no such file."))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw Refusal("\(name) cannot be read: it is a folder.")
        default: throw Refusal("\(name) cannot be read: it is not a regular file.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Refusal("\(name) cannot be read: permission denied.")
        }
        return InputFile(name: name, bytes: Array(data))
    }
}
