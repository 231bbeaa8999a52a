import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// S5, H8: certpush verify [RID]... [--account NAME] [--json]: what each
/// server resource serves now; for an account that takes pushes, where the
/// cloud says each certificate certpush pushed is in use.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Handshake with server resources and report which serve what certpush recorded, and which drifted; for a cloud account that takes pushes, where each pushed certificate is in use.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Resource ids (all server resources when none).") var resources: [String] = []
    @Option(help: "Only this account's resources; for a huaweicloud account, where SCM says each certificate certpush pushed is in use.")
    var account: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let ids = try TaskText.resources(resources) ?? []
        let workspace = try global.openWorkspace(forReading: true)
        if let account, ids.isEmpty, workspace.drivers.takesPushes(account), workspace.drivers.byAccount[account]?.verifier == nil {
            return try verifyPushes(workspace, account: account)
        }
        let results = try workspace.verify(ids, account: account)
        if json {
            try printJSON(results.map { result in
                VerifyJSON(id: result.resource.description, account: result.account, served: result.served, expected: result.expected, ok: result.ok)
            })
        } else if results.isEmpty {
            print("No server resources to verify: synchronize a servers account first.")
        } else {
            printTable(header: ["RESOURCE", "NAME", "SERVED", "EXPECTED", "OK"], rows: results.map {
                [$0.resource.description, $0.name, $0.served, $0.expected, $0.ok ? "yes" : "DRIFT"]
            })
        }
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    /// H8: a row per certificate pushed through the account.
    func verifyPushes(_ workspace: Workspace, account: String) throws {
        let results = try workspace.push.verifyPushes(account: account)
        if json {
            try printJSON(results.map { VerifyJSON(id: $0.certificate.description, account: $0.account, served: $0.served, expected: $0.expected, ok: $0.ok) })
        } else if results.isEmpty {
            print("\(account): certpush has pushed no certificate through it.")
        } else {
            printTable(header: ["CERTIFICATE", "IN USE (the cloud says)", "PUSHED (certpush recorded)", "OK"], rows: results.map {
                [$0.certificate.description, $0.served, $0.expected, $0.ok ? "yes" : "DIFFERS"]
            })
        }
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }
}

struct VerifyJSON: Encodable {
    var id: String
    var account: String
    var served: String
    var expected: String
    var ok: Bool
}
