import CertpushCore
import CertpushSandbox
import CertpushStore
import Foundation
import Logging

/// An opened database with the services over it: what the console and the
/// CLI start from.
public struct Workspace: Sendable {
    public let store: any Store
    public let certificates: CertificateService
    public let push: PushService
    public let deployments: DeploymentService
    public let provider: any CloudProvider
    /// True when this open made the database.
    public let created: Bool
    public let isSandbox: Bool

    public static let logger = Logger(label: "certpush")

    /// Opens the database at `path`; a new one is seeded with the sandbox
    /// unless `empty` is set.
    public static func open(path: String, empty: Bool = false, time: any TimeSource = SystemTime(),
                            user: String = currentUser(), notifyCommand: String? = nil,
                            sandboxLatencySeconds: Double = 0) throws -> Workspace {
        let opened = try SQLiteStore.open(path: path)
        let store = opened.store
        if opened.created {
            if empty {
                try store.write { db in
                    try db.setValue("empty", forKey: "created.as")
                    try db.append(ActivityEntry(at: time.now(), user: user, action: "database.create", subject: path))
                }
            } else {
                try SandboxSeed.seed(store, time: time, user: user)
            }
            logger.info("created database", metadata: ["path": "\(path)", "empty": "\(empty)"])
        }
        let provider = SandboxProvider(store: store, latencySeconds: sandboxLatencySeconds)
        let isAlive: @Sendable (Int32) -> Bool = { pid in kill(pid, 0) == 0 || errno == EPERM }
        return Workspace(
            store: store, certificates: CertificateService(store: store, time: time, user: user),
            push: PushService(store: store, provider: provider, time: time, user: user, processID: getpid(), isAlive: isAlive),
            deployments: DeploymentService(
                store: store, provider: provider, time: time, user: user, processID: getpid(),
                isAlive: isAlive,
                deliver: { notification in Notifier.deliver(notification, command: notifyCommand) }),
            provider: provider,
            created: opened.created, isSandbox: true)
    }

    public static func currentUser() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let name = getpwuid(geteuid())?.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? "unknown"
    }
}

/// D15: runs `notify_command` once per notification, the message on its
/// standard input. A failing command is logged, never shown on the console.
enum Notifier {
    static func deliver(_ notification: TaskNotification, command: String?) {
        guard let command, !command.isEmpty else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "CERTPUSH_TASK": notification.taskID.description, "CERTPUSH_CONTACT": notification.contact,
        ]) { $1 }
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            input.fileHandleForWriting.write(Data((notification.message + "\n").utf8))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                Workspace.logger.warning("notify_command failed", metadata: ["status": "\(process.terminationStatus)", "task": "\(notification.taskID)"])
            }
        } catch {
            Workspace.logger.warning("notify_command could not start", metadata: ["error": "\(error)"])
        }
    }
}

extension InputFile {
    /// Reads a file the user named; a missing or unreadable one is refused
    /// with a sentence naming it (SPEC C5).
    public static func load(path: String) throws -> InputFile {
        let name = (path as NSString).lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Refusal("\(name) cannot be read: there is no such file.")
        }
        guard !isDirectory.boolValue else { throw Refusal("\(name) cannot be read: it is a folder.") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Refusal("\(name) cannot be read: permission denied.")
        }
        return InputFile(name: name, bytes: Array(data))
    }
}
