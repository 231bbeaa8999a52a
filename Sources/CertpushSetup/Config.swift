import CertpushCore
import Foundation
import TOMLKit

/// `config.toml`: a missing file means defaults; a broken one is refused
/// with the line at fault.
public struct Config: Sendable, Equatable {
    public var theme: String?
    public var notifyCommand: String?
    /// T1: where the workspace is when neither --db nor CERTPUSH_DB says: a file, or a team's `postgresql://…`.
    public var database: String?
    public var expiryWarningDays: Int = 30
    /// How long the sandbox takes per resource in the console, so trainees
    /// watch a task progress; nil means the default (`defaultSandboxLatencyMilliseconds`).
    public var sandboxLatencyMilliseconds: Int?
    /// `[accounts.NAME]` tables, in the file's order (SPEC 10).
    public var accounts: [Account] = []

    public static let defaultSandboxLatencyMilliseconds = 300

    public init(theme: String? = nil, notifyCommand: String? = nil, expiryWarningDays: Int = 30, sandboxLatencyMilliseconds: Int? = nil) {
        self.theme = theme
        self.notifyCommand = notifyCommand
        self.expiryWarningDays = expiryWarningDays
        self.sandboxLatencyMilliseconds = sandboxLatencyMilliseconds
    }

    public static func load(path: String) throws -> Config {
        guard FileManager.default.fileExists(atPath: path) else { return Config() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, problem: "it cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    public static func parse(_ text: String, path: String) throws -> Config {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(path: path, problem: "line \(error.source.begin.line): \(error.description)")
        }
        var config = Config()
        for key in table.keys {
            let value = table[key]
            switch key {
            case "theme":
                guard let theme = value?.string else { throw ConfigError.wrongType(path, key, "a string") }
                config.theme = theme
            case "database":
                guard let database = value?.string, !database.isEmpty else {
                    throw ConfigError.wrongType(path, key, "a file's path or a postgresql:// URL, in quotes")
                }
                config.database = database
            case "notify_command":
                guard let command = value?.string else { throw ConfigError.wrongType(path, key, "a string") }
                config.notifyCommand = command.isEmpty ? nil : command
            case "expiry_warning_days":
                guard let days = value?.int, (1...365).contains(days) else {
                    throw ConfigError.wrongType(path, key, "a whole number of days from 1 to 365")
                }
                config.expiryWarningDays = days
            case "accounts":
                guard let accounts = value?.table else { throw ConfigError.wrongType(path, key, "tables, one [accounts.NAME] each") }
                config.accounts = try AccountsSection(text: text, path: path).parse(accounts)
            case "sandbox_latency_ms":
                guard let milliseconds = value?.int, (0...10_000).contains(milliseconds) else {
                    throw ConfigError.wrongType(path, key, "a whole number of milliseconds from 0 to 10000")
                }
                config.sandboxLatencyMilliseconds = milliseconds
            default:
                throw ConfigError(path: path, problem: "\(key) is not a setting (known: database, theme, notify_command, expiry_warning_days, sandbox_latency_ms, accounts)")
            }
        }
        return config
    }

    public var expiryPolicy: ExpiryPolicy {
        ExpiryPolicy(warningDays: expiryWarningDays, criticalDays: min(7, expiryWarningDays))
    }
}

public struct ConfigError: CertpushError, Equatable {
    public let path: String
    public let problem: String
    public var sentence: String { "The config file \(path) is broken: \(problem)." }

    static func wrongType(_ path: String, _ key: String, _ expected: String) -> ConfigError {
        ConfigError(path: path, problem: "\(key) must be \(expected)")
    }
}

/// The `[accounts.NAME]` tables: each checked, and a problem named with the
/// line of the table it is in.
struct AccountsSection {
    let text: String
    let path: String

    func parse(_ table: TOMLTable) throws -> [Account] {
        // TOMLKit keeps keys sorted; the file's order is the order of the headers.
        let names = table.keys.sorted { line(of: "accounts.\($0)") < line(of: "accounts.\($1)") }
        return try names.map { name in
            let header = "accounts.\(name)"
            func fail(_ problem: String, header: String = header, occurrence: Int = 0) -> ConfigError {
                ConfigError(path: path, problem: "line \(line(of: header, occurrence: occurrence)) ([\(header)]): \(problem)")
            }
            if let problem = Account.nameProblem(name) { throw fail(problem) }
            guard let fields = table[name]?.table else { throw fail("an account is a table with at least a kind") }
            guard let kindText = fields["kind"]?.string else { throw fail("kind is missing (one of \(AccountDrivers.names))") }
            guard let driver = AccountDrivers.named(kindText) else {
                throw fail("kind \"\(DisplayText.neutralized(kindText))\" is not one of \(AccountDrivers.names)")
            }
            if name == Account.sandboxName && driver.kind != .sandbox { throw fail("\(name) is the training sandbox's name; give this account another") }
            var account = Account(name: name, kind: driver.kind)
            let known = driver.settings.union(["kind"])
            try driver.configure(&account, from: AccountTable(fields: fields, header: header, problem: { fail($0) }, problemIn: { sub, occurrence, problem in
                fail(problem, header: "[\(header).\(sub)]", occurrence: occurrence)
            }))
            try refuseUnknown(fields, known) { fail($0) }
            return account
        }
    }

    private func refuseUnknown(_ table: TOMLTable, _ known: Set<String>, _ fail: (String) -> ConfigError) throws {
        if let unknown = table.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("\(DisplayText.neutralized(unknown)) is not a setting here (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    /// The line of the `occurrence`th `[header]` (or `[[header]]`) in the file, 1-based.
    func line(of header: String, occurrence: Int = 0) -> Int {
        let wanted = header.filter { !$0.isWhitespace }.replacingOccurrences(of: "\"", with: "")
        var seen = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let bare = line.split(separator: "#", maxSplits: 1).first.map(String.init) ?? ""
            let compact = bare.filter { !$0.isWhitespace }.replacingOccurrences(of: "\"", with: "")
            guard compact == "[\(wanted)]" || compact == "[[\(wanted)]]" || compact == "[\(wanted)" + "]" else { continue }
            if seen == occurrence { return index + 1 }
            seen += 1
        }
        return 0
    }
}
