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
            case "sandbox_latency_ms":
                guard let milliseconds = value?.int, (0...10_000).contains(milliseconds) else {
                    throw ConfigError.wrongType(path, key, "a whole number of milliseconds from 0 to 10000")
                }
                config.sandboxLatencyMilliseconds = milliseconds
            default:
                throw ConfigError(path: path, problem: "\(key) is not a setting (known: theme, notify_command, expiry_warning_days, sandbox_latency_ms)")
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
