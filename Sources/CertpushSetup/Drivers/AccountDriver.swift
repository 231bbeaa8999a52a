import CertpushCore
import Foundation
import TOMLKit

/// One kind of account (SPEC 10): what its table in config.toml may say,
/// how it is checked, and what certpush does through it. Each kind is a
/// file of its own in this folder and a line of `AccountDrivers.all`; the
/// console, the engine and the CLI know only the capabilities it offers.
protocol AccountDriver: Sendable {
    var kind: Account.Kind { get }
    /// The settings of its `[accounts.NAME]` table beside `kind`.
    var settings: Set<String> { get }
    /// Reads those settings into the account; throws `table.problem(...)`.
    func configure(_ account: inout Account, from table: AccountTable) throws
    /// The account as a workspace uses it, with what its kind assumes when the config is silent.
    func completed(_ account: Account) -> Account
    /// What certpush does through the account; when it cannot act for it
    /// (its keys are missing), each capability fails with that sentence.
    func actions(for account: Account, in context: DriverContext) -> AccountActions
    /// `accounts check`: one cheap proof that the account answers, a line
    /// per part and whether it failed; throws what stops the whole check.
    func check(_ account: Account, in context: DriverContext) throws -> [(line: String, failed: Bool)]
}

extension AccountDriver {
    func completed(_ account: Account) -> Account { account }
}

/// What a driver is handed to act for an account.
struct DriverContext: Sendable {
    let store: any Store
    let credentials: Credentials
    /// How long the sandbox takes to apply a certificate, as a cloud would.
    var sandboxLatency: Double = 0
}

/// An account's table of config.toml, with the way to say what is wrong where.
struct AccountTable {
    let fields: TOMLTable
    let header: String
    /// A problem of the account's table, with its line.
    let problem: (String) -> ConfigError
    /// A problem of the `occurrence`th `[[header.sub]]` table, with its line.
    let problemIn: (_ sub: String, _ occurrence: Int, _ problem: String) -> ConfigError
}

/// The registry of account kinds.
enum AccountDrivers {
    static let all: [any AccountDriver] = [SandboxDriver(), ServersDriver(), HuaweiCloudDriver(), AlibabaCloudDriver()]

    static func named(_ name: String) -> (any AccountDriver)? { all.first { $0.kind.rawValue == name } }

    static func of(_ kind: Account.Kind) -> any AccountDriver {
        guard let driver = named(kind.rawValue) else { preconditionFailure("\(kind) has no AccountDriver in AccountDrivers.all") }
        return driver
    }

    static var names: String { all.map(\.kind.rawValue).joined(separator: ", ") }
}
