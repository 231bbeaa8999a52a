import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// S5: certpush verify [RID]... [--json]: what each server resource serves now.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Handshake with server resources and report which serve what certpush recorded, and which drifted.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Resource ids (all server resources when none).") var resources: [String] = []
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let ids = try TaskText.resources(resources) ?? []
        let workspace = try global.openWorkspace(forReading: true)
        let results = try workspace.verify(ids)
        if json {
            try printJSON(results.map { VerifyJSON(id: $0.resource.description, served: $0.served, expected: $0.expected, ok: $0.ok) })
        } else if results.isEmpty {
            print("No server resources to verify: synchronize a servers account first.")
        } else {
            printTable(header: ["RESOURCE", "NAME", "SERVED", "EXPECTED", "OK"], rows: results.map {
                [$0.resource.description, $0.name, $0.served, $0.expected, $0.ok ? "yes" : "DRIFT"]
            })
        }
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }
}

struct VerifyJSON: Encodable {
    var id: String
    var served: String
    var expected: String
    var ok: Bool
}
