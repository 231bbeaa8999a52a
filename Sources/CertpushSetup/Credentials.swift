import CertpushClouds
import CertpushCore
import Foundation
import TOMLKit

/// R1: a cloud account's keys come from the environment variables its config
/// names, else from the same names in `$XDG_CONFIG_HOME/certpush/credentials.toml`
/// (a table per account), which is refused when anyone but its owner may read it.
/// The keys live in memory only; they are never stored, logged or shown.
public struct Credentials: Sendable {
    public var environment: [String: String]
    public var file: String

    public init(paths: Paths = Paths()) {
        environment = paths.environment
        file = paths.credentialsFile
    }

    /// The account's keys, from the variables its settings `idName` and `secretName` name.
    func keys(for account: Account, id idName: String, secret secretName: String) throws -> CloudKeys {
        guard let idVariable = account.credentialNames[idName], let secretVariable = account.credentialNames[secretName] else {
            throw Refusal("\(account.name) names no keys in config.toml (\(idName), \(secretName)).")
        }
        var table: TOMLTable?
        func value(_ variable: String) throws -> String? {
            if let set = environment[variable], !set.isEmpty { return set }
            if table == nil { table = try fileTable(account: account.name) }
            return table?[variable]?.string.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let id = try value(idVariable), let secret = try value(secretVariable) else {
            throw Refusal("\(account.name) has no keys: set \(idVariable) and \(secretVariable) in the environment, or put them in the [\(account.name)] table of \(file).")
        }
        return CloudKeys(id: id, secret: secret)
    }

    /// The account's table of credentials.toml; an empty one when there is no file.
    private func fileTable(account: String) throws -> TOMLTable {
        var info = stat()
        guard stat(file, &info) == 0 else { return TOMLTable() }
        if info.st_mode & 0o077 != 0 {
            throw Refusal("\(file) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))): certpush reads no keys from it until only its owner can (chmod 600).")
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw Refusal("\(file) cannot be read.") }
        let parsed: TOMLTable
        do { parsed = try TOMLTable(string: text) } catch {
            // TOMLKit's error quotes the line, which may hold a secret: say only where.
            throw Refusal("\(file) is not valid TOML" + ((error as? TOMLParseError).map { " (line \($0.source.begin.line))" } ?? "") + ".")
        }
        return parsed[account]?.table ?? TOMLTable()
    }
}
