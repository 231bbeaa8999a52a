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
    public let provider: any CloudProvider
    /// True when this open made the database.
    public let created: Bool
    public let isSandbox: Bool

    public static let logger = Logger(label: "certpush")

    /// Opens the database at `path`; a new one is seeded with the sandbox
    /// unless `empty` is set.
    public static func open(path: String, empty: Bool = false, time: any TimeSource = SystemTime(),
                            user: String = currentUser()) throws -> Workspace {
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
        let provider = SandboxProvider()
        return Workspace(
            store: store, certificates: CertificateService(store: store, time: time, user: user),
            push: PushService(store: store, provider: provider, time: time, user: user), provider: provider,
            created: opened.created, isSandbox: true)
    }

    public static func currentUser() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let name = getpwuid(geteuid())?.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? "unknown"
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
