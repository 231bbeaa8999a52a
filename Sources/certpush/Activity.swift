import ArgumentParser
import CertpushCore
import Foundation

struct Activity: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The audit log, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional, help: "How many entries.") var limit = 50
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard limit > 0 else { throw Refusal("--limit must be 1 or more.") }
        let workspace = try global.openWorkspace(forReading: true)
        let entries = try workspace.certificates.activity(limit: limit)
        if json {
            return try printJSON(entries.map { ActivityJSON(at: Formats.iso($0.at), user: $0.user, action: $0.action, subject: $0.subject, detail: $0.detail) })
        }
        printTable(header: ["TIME", "USER", "ACTION", "SUBJECT", "DETAIL"],
                   rows: entries.map { [Formats.minute($0.at), $0.user, $0.action, $0.subject, $0.detail] })
    }
}

struct ActivityJSON: Encodable {
    var at, user, action, subject, detail: String
}
