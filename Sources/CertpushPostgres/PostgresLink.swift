import CertpushCore
import Foundation
import Logging
import NIOCore
import NIOPosix
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
                                                             password: location.password, database: location.database, tls: .disable)
        configuration.options.connectTimeout = timeLimit
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                        id: 1, logger: Self.logger).wait()
        } catch {
            throw Refusal("PostgreSQL at \(location) could not be reached: \(Self.describe(error)).")
        }
    }

    deinit { try? connection.close().wait() }

    /// Runs one statement, its values bound by interpolation (`"… WHERE id = \(id)"`); its rows.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> [PostgresRow] {
        do {
            return try connection.query(query, logger: Self.logger).wait().rows
        } catch {
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

    /// The server's own words where it gave some, else the connection's.
    static func describe(_ error: Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return DisplayText.neutralized(message) }
            return DisplayText.neutralized("\(psql.code)")
        }
        return DisplayText.neutralized("\(error)")
    }
}
