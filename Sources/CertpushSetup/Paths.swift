import CertpushCore
import Foundation

/// Where certpush keeps its files, by the XDG base directory rules.
public struct Paths: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// W3: `--db`, else `--training`'s default, else `CERTPUSH_DB`, else the
    /// live workspace when one exists, else the training one.
    public func database(explicit: String? = nil, training: Bool = false) -> String {
        namedDatabase(explicit: explicit, training: training)
            ?? (training || !FileManager.default.fileExists(atPath: liveDatabase) ? trainingDatabase : liveDatabase)
    }

    /// The database the user named: `--db`, else `CERTPUSH_DB` unless
    /// `--training` asks for the training one; nil when a default path is used.
    public func namedDatabase(explicit: String?, training: Bool) -> String? {
        if let explicit, !explicit.isEmpty { return expand(explicit) }
        if training { return nil }
        if let fromEnvironment = environment["CERTPUSH_DB"], !fromEnvironment.isEmpty { return expand(fromEnvironment) }
        return nil
    }

    /// Where a new database of this kind goes when no path is named (W3).
    public func defaultDatabase(for kind: WorkspaceKind) -> String {
        kind == .live ? liveDatabase : trainingDatabase
    }

    /// The live workspace's default file (W3).
    public var liveDatabase: String { dataFolder + "/certpush.sqlite" }
    /// The training workspace's default file (W3).
    public var trainingDatabase: String { dataFolder + "/training.sqlite" }

    private var dataFolder: String { base("XDG_DATA_HOME", fallback: ".local/share") + "/certpush" }

    /// `CERTPUSH_KEYRING`, else `$XDG_DATA_HOME/certpush/keyring`: the key that seals private keys at rest.
    public var keyring: String {
        if let explicit = environment["CERTPUSH_KEYRING"], !explicit.isEmpty { return expand(explicit) }
        return dataFolder + "/keyring"
    }

    public var configFile: String { base("XDG_CONFIG_HOME", fallback: ".config") + "/certpush/config.toml" }
    /// R1: where a cloud account's keys may be kept when not in the environment.
    public var credentialsFile: String { base("XDG_CONFIG_HOME", fallback: ".config") + "/certpush/credentials.toml" }
    public var logFile: String { base("XDG_STATE_HOME", fallback: ".local/state") + "/certpush/certpush.log" }
    public var userThemes: String { base("XDG_CONFIG_HOME", fallback: ".config") + "/certpush/themes" }

    private var home: String { environment["HOME"] ?? NSHomeDirectory() }

    private func base(_ variable: String, fallback: String) -> String {
        if let value = environment[variable], value.hasPrefix("/") { return value }
        return home + "/" + fallback
    }

    private func expand(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }
}
