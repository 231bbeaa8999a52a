import CertpushClouds
import CertpushCore
import Foundation
import TOMLKit

/// What a cloud account's table says alike in every cloud (SPEC 10, R1, R2,
/// R4): its keys' names, regions, endpoint and time limit.
struct CloudSettings {
    /// The settings naming its two keys (R1): the access key id's, then the secret's.
    let keyNames: (id: String, secret: String)
    /// The endpoint when the config names none.
    let defaultEndpoint: String

    var settings: Set<String> { ["regions", "endpoint", "timeout", keyNames.id, keyNames.secret] }

    func configure(_ account: inout Account, from table: AccountTable) throws {
        if let timeout = table.fields["timeout"] { account.timeLimit = try Self.seconds(timeout, "timeout", least: 1, table) }
        for key in [keyNames.id, keyNames.secret] {
            guard let variable = table.fields[key]?.string, !variable.isEmpty else {
                throw table.problem("\(key) is missing: the name of the environment variable (or credentials.toml key) that holds it")
            }
            account.credentialNames[key] = variable
        }
        if let regions = table.fields["regions"] {
            guard let list = regions.array?.compactMap({ $0.string }), list.count == regions.array?.count, !list.isEmpty else {
                throw table.problem("regions must be a list of region codes, like [\"cn-north-4\"]")
            }
            account.regions = list
        }
        if let endpoint = try Self.endpoint("endpoint", in: table) { account.endpoint = endpoint }
    }

    /// The URL the table's `key` names, if it names one; one R2 allows, else the table's problem.
    static func endpoint(_ key: String, in table: AccountTable) throws -> String? {
        guard let value = table.fields[key] else { return nil }
        guard let text = value.string else { throw table.problem("\(key) must be a URL") }
        if let problem = EndpointRule.problem(text) { throw table.problem(problem) }
        return text
    }

    /// A number of seconds from `least` to 3600.
    static func seconds(_ value: TOMLValueConvertible, _ key: String, least: Double, _ table: AccountTable) throws -> Double {
        guard let seconds = value.double ?? value.int.map(Double.init), seconds >= least, seconds <= 3600 else {
            throw table.problem("\(key) must be a number of seconds from \(least == 1 ? "1" : String(least)) to 3600")
        }
        return seconds
    }

    func keys(of account: Account, in context: DriverContext) throws -> CloudKeys {
        try context.credentials.keys(for: account, id: keyNames.id, secret: keyNames.secret)
    }

    /// The account's endpoint (or the cloud's) with its time limit (R4: 30 s unless the config says).
    func http(_ account: Account, endpoint: String? = nil) throws -> CloudHTTP {
        let limit = account.timeLimit ?? 30
        return try CloudHTTP(endpoint: endpoint ?? account.endpoint ?? defaultEndpoint, timeLimit: limit, backoff: min(0.5, limit / 10))
    }

    /// The actions `make` builds, or each of `capabilities` failing with why they cannot be (R1).
    static func actions(offering capabilities: AccountActions.Capabilities, _ make: () throws -> AccountActions) -> AccountActions {
        do { return try make() } catch {
            return .unavailable(error as? Refusal ?? Refusal("\(error)"), offering: capabilities)
        }
    }
}
