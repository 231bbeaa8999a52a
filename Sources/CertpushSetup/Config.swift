import CertpushCore
import Foundation
import TOMLKit

/// `config.toml`: a missing file means defaults; a broken one is refused
/// with the line at fault.
public struct Config: Sendable, Equatable {
    public var theme: String?
    public var notifyCommand: String?
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
                throw ConfigError(path: path, problem: "\(key) is not a setting (known: theme, notify_command, expiry_warning_days, sandbox_latency_ms, accounts)")
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
            guard let kindText = fields["kind"]?.string else {
                throw fail("kind is missing (one of \(Account.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let kind = Account.Kind(rawValue: kindText) else {
                throw fail("kind \"\(DisplayText.neutralized(kindText))\" is not one of \(Account.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if name == Account.sandboxName && kind != .sandbox { throw fail("\(name) is the training sandbox's name; give this account another") }
            var account = Account(name: name, kind: kind)
            let known: Set<String>
            switch kind {
            case .sandbox:
                known = ["kind"]
            case .servers:
                known = ["kind", "hosts"]
                guard let hosts = fields["hosts"]?.array, !hosts.isEmpty else {
                    throw fail("a servers account needs at least one [[\(header).hosts]] with name, ssh and server")
                }
                var seen = Set<String>()
                for (index, value) in hosts.enumerated() {
                    let hostHeader = "[\(header).hosts]"
                    func hostFail(_ problem: String) -> ConfigError { fail(problem, header: hostHeader, occurrence: index) }
                    guard let host = value.table else { throw hostFail("each host is a table") }
                    try refuseUnknown(host, ["name", "ssh", "server", "command", "reload"], hostFail)
                    guard let hostName = host["name"]?.string, !hostName.isEmpty else { throw hostFail("name is missing") }
                    guard seen.insert(hostName).inserted else { throw hostFail("host \(DisplayText.neutralized(hostName)) is named twice") }
                    guard let ssh = host["ssh"]?.string, !ssh.isEmpty else {
                        throw hostFail("ssh is missing: an ssh destination (deploy@web1.example.com) or \"local\"")
                    }
                    if ssh.hasPrefix("-") { throw hostFail("ssh must be a destination, not an option") }
                    guard let serverText = host["server"]?.string, let server = ServerHost.Server(rawValue: serverText) else {
                        throw hostFail("server must be one of \(ServerHost.Server.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    for key in ["command", "reload"] where host[key] != nil && host[key]?.string?.isEmpty != false {
                        throw hostFail("\(key) must be a command, like \"sudo nginx\"")
                    }
                    account.hosts.append(ServerHost(name: hostName, ssh: ssh, server: server, command: host["command"]?.string,
                                                    reload: host["reload"]?.string))
                }
            case .huaweicloud, .alibabacloud:
                let keys = kind == .huaweicloud ? ["access_key_env", "secret_key_env"] : ["access_key_id_env", "access_key_secret_env"]
                known = Set(["kind", "regions", "endpoint", "timeout"] + keys + (kind == .alibabacloud ? ["poll_interval"] : []))
                for key in ["timeout", "poll_interval"] where fields[key] != nil {
                    let least = key == "timeout" ? 1.0 : 0.01
                    guard let seconds = fields[key]?.double ?? fields[key]?.int.map(Double.init), seconds >= least, seconds <= 3600 else {
                        throw fail("\(key) must be a number of seconds from \(key == "timeout" ? "1" : "0.01") to 3600")
                    }
                    if key == "timeout" { account.timeLimit = seconds } else { account.pollInterval = seconds }
                }
                for key in keys {
                    guard let variable = fields[key]?.string, !variable.isEmpty else {
                        throw fail("\(key) is missing: the name of the environment variable (or credentials.toml key) that holds it")
                    }
                    account.credentialNames[key] = variable
                }
                if let regions = fields["regions"] {
                    guard let list = regions.array?.compactMap({ $0.string }), list.count == regions.array?.count, !list.isEmpty else {
                        throw fail("regions must be a list of region codes, like [\"cn-north-4\"]")
                    }
                    account.regions = list
                }
                if let endpoint = fields["endpoint"] {
                    guard let text = endpoint.string else { throw fail("endpoint must be a URL") }
                    if let problem = EndpointRule.problem(text) { throw fail(problem) }
                    account.endpoint = text
                }
            }
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
