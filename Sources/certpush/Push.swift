import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

struct Push: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push a certificate into cloud services' certificate stores (cdn, waf, elb).",
        discussion: "Each --region applies to every regional service named. Exit 0 when every target succeeded, 1 when any failed, 2 when refused.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The certificate id, like c12.") var id: String
    @Option(name: .customLong("service"), help: "A service code; repeat for several.") var services: [String] = []
    @Option(name: .customLong("region"), help: "A region for regional services; repeat for several (1 to 10).") var regions: [String] = []
    @Option(help: "The account that takes the push (the sandbox, or a huaweicloud account); needed when several do.") var account: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let workspace = try global.openWorkspace()
        let certificate = try workspace.certificates.certificate(named: id)
        let records = try workspace.push.push(PushRequest(certificate: certificate.id, services: services, regions: regions, account: account))
        if json {
            try printJSON(PushResultsJSON(certificate: certificate.id.description, results: records.map(PushResultJSON.init)))
        } else {
            printTable(header: ["ACCOUNT", "SERVICE", "REGION", "RESULT", "REASON"], rows: records.map {
                [$0.account, $0.target.service, $0.target.region ?? "-", $0.succeeded ? "pushed" : "failed", $0.reason]
            })
            if let pushed = records.first(where: \.succeeded) {
                if let name = pushed.remoteName { print("The cloud keeps it as \(name).") }
                print("Pushed. It must still be configured on the target service: bind it with `certpush resources bind`.")
            }
        }
        if records.contains(where: { !$0.succeeded }) { throw ExitCode(1) }
    }
}

struct PushRecords: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push-records", abstract: "A certificate's push records, newest first.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The certificate id, like c12.") var id: String
    @Option(parsing: .unconditional, help: "How many records.") var limit = 10
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard limit > 0 else { throw Refusal("--limit must be 1 or more.") }
        let workspace = try global.openWorkspace(forReading: true)
        let certificate = try workspace.certificates.certificate(named: id)
        let records = try workspace.push.records(for: certificate.id, limit: limit)
        if json { return try printJSON(records.map(PushResultJSON.init)) }
        printTable(header: ["TIME", "USER", "ACCOUNT", "SERVICE", "REGION", "RESULT", "REASON"], rows: records.map {
            [Formats.minute($0.at), $0.user, $0.account, $0.target.service, $0.target.region ?? "-", $0.succeeded ? "pushed" : "failed",
             $0.remoteName.map { "as \($0)" } ?? $0.reason]
        })
    }
}

struct PushResultsJSON: Encodable {
    var certificate: String
    var results: [PushResultJSON]
}

struct PushResultJSON: Encodable {
    var at: String
    var user: String
    var account: String
    var service: String
    @Nullable var region: String?
    var ok: Bool
    /// Why a target failed; null when it was pushed.
    @Nullable var reason: String?
    /// H6: the name the cloud keeps it under, where it is not certpush's; null otherwise.
    @Nullable var remoteName: String?

    init(_ record: PushRecord) {
        at = Formats.iso(record.at)
        user = record.user
        account = record.account
        service = record.target.service
        region = record.target.region
        ok = record.succeeded
        reason = record.reason.isEmpty ? nil : record.reason
        remoteName = record.remoteName
    }
}
