import Foundation

/// F2: damage, once met, is remembered beside the file (`<database>.damaged`),
/// so that no later command writes to it until `certpush db check` finds the
/// file sound again. SQLite only finds damage on the pages a command reads;
/// checking every page before each change would take seconds on a large
/// workspace, so the first command to meet the damage leaves this mark.
enum DamageMark {
    static func path(of database: String) -> String { database + ".damaged" }

    /// What was found, in SQLite's words; nil when the file is not marked.
    static func recorded(for database: String) -> String? {
        guard let text = try? String(contentsOfFile: path(of: database), encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.map(String.init) ?? "found earlier"
    }

    /// Best effort: a folder that cannot be written keeps no mark, and the command still refuses.
    static func record(_ why: String, for database: String) {
        guard recorded(for: database) == nil else { return }
        let text = why + "\n" + ISO8601DateFormatter().string(from: Date()) + "\n"
        if FileManager.default.createFile(atPath: path(of: database), contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
            SQLiteStore.logger.error("database marked damaged", metadata: ["path": "\(database)", "why": "\(why)"])
        }
    }

    static func clear(for database: String) {
        unlink(path(of: database))
    }
}
