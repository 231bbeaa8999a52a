import CertpushCore
import Foundation

/// T1: where a team's live workspace lives, `postgresql://user@host:port/name`,
/// with the password found as libpq finds it: in the URL, else
/// `PGPASSWORD`, else the first matching line of `~/.pgpass` (or
/// `PGPASSFILE`), which is ignored when others may read it.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    /// libpq's `sslmode`: disable, allow, prefer (its default), require, verify-ca or verify-full.
    public var sslMode = "prefer"

    /// Whether `--db` or `database = …` names PostgreSQL rather than a file.
    public static func names(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.names(text), let url = URLComponents(string: text) else {
            throw Refusal("\(DisplayText.neutralized(text)) is not a PostgreSQL URL: write postgresql://USER@HOST:PORT/DATABASE.")
        }
        host = url.host.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding } ?? "localhost"
        port = url.port ?? 5432
        guard let user = (url.user?.removingPercentEncoding ?? environment["PGUSER"]).flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw Refusal("\(Self.redacted(text)) names no user: write postgresql://USER@HOST:PORT/DATABASE.")
        }
        self.user = user
        let path = String(url.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        database = path.isEmpty ? user : path
        sslMode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? environment["PGSSLMODE"] ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw Refusal("sslmode=\(DisplayText.neutralized(sslMode)) is not one libpq takes: disable, allow, prefer, require, verify-ca or verify-full.")
        }
        password = url.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        if password == nil {
            let file = environment["PGPASSFILE"] ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass"
            password = Self.passwordFile(file, host: host, port: port, database: database, user: user)
        }
    }

    /// The URL without its password: what certpush shows and logs.
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text) else { return "the URL" }
        url.password = nil
        return DisplayText.neutralized(url.string ?? "the URL")
    }

    /// libpq's password file: `host:port:database:user:password`, `*` for any, `\` escaping `:` and `\`.
    static func passwordFile(_ path: String, host: String, port: Int, database: String, user: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = attributes[.posixPermissions] as? Int, mode & 0o077 == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            var fields: [String] = [], field = "", escaped = false
            for character in line {
                if escaped {
                    field.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0.0 == "*" || $0.0 == $0.1 }) { return fields[4] }
        }
        return nil
    }
}
