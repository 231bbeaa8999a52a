import CertpushCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to PostgreSQL, used synchronously as the store's callers
/// use SQLite: each call waits for its answer. A lost connection is one
/// sentence naming the database (T6).
public final class PostgresLink: @unchecked Sendable {
    public let location: PostgresLocation
    let connection: PostgresConnection
    static let logger = Logger(label: "certpush.postgres")

    public init(_ location: PostgresLocation, timeLimit: TimeAmount = .seconds(10)) throws {
        self.location = location
        var configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database,
                                                             tls: try Self.tls(location.sslMode))
        configuration.options.connectTimeout = timeLimit
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                        id: 1, logger: Self.logger).wait()
        } catch {
            throw DatabaseUnreachable(location: "PostgreSQL at \(location)", why: Self.describe(error))
        }
    }

    deinit { try? connection.close().wait() }

    private var names = 0
    /// A name no other cursor of this connection has.
    func nextName(_ prefix: String) -> String {
        names += 1
        return "\(prefix)_\(names)"
    }

    /// Runs one statement, its values bound by interpolation (`"… WHERE id = \(id)"`); its rows.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> [PostgresRow] {
        do {
            return try connection.query(query, logger: Self.logger).wait().rows
        } catch {
            if Self.isConnectionLoss(error) || connection.isClosed {
                throw DatabaseUnreachable(location: "PostgreSQL at \(location)", why: Self.describe(error))
            }
            throw Refusal("PostgreSQL at \(location) refused a statement: \(Self.describe(error)).")
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// TLS as libpq's sslmode asks: `require` encrypts without checking the
    /// certificate, `verify-ca` checks it against the system's roots,
    /// `verify-full` checks the name too; `prefer` and `allow` use TLS when the server offers it.
    static func tls(_ mode: String) throws -> PostgresConnection.Configuration.TLS {
        var client = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case "disable": return .disable
        case "verify-full": break
        case "verify-ca": client.certificateVerification = .noHostnameVerification
        default: client.certificateVerification = .none
        }
        let context = try NIOSSLContext(configuration: client)
        return ["require", "verify-ca", "verify-full"].contains(mode) ? .require(context) : .prefer(context)
    }

    /// Whether the connection itself failed, rather than the statement:
    /// closed, broken, or the server shutting down (SQLSTATE classes 08 and 57P).
    static func isConnectionLoss(_ error: Error) -> Bool {
        guard let psql = error as? PSQLError else { return error is IOError || error is ChannelError }
        if [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown].contains(psql.code) { return true }
        guard let state = psql.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || state.hasPrefix("57P")
    }

    /// Whether the connection can still take statements.
    var isOpen: Bool { !connection.isClosed }

    /// The server's own words where it gave some, else what the connection met, in a few words.
    static func describe(_ error: Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return DisplayText.neutralized(message) }
            if let underlying = psql.underlying { return describe(underlying) }
            return DisplayText.neutralized("\(psql.code)")
        }
        if let connect = error as? NIOConnectionError, let first = connect.connectionErrors.first { return describe(first.error) }
        if let connect = error as? NIOConnectionError, connect.dnsAError != nil || connect.dnsAAAAError != nil { return "its name does not resolve" }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return "the connection was refused" }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return "the connection timed out" }
        return DisplayText.neutralized("\(error)")
    }
}
