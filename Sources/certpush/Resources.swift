import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

struct Resources: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cloud resources: list, synchronise, bind a pushed certificate.",
        subcommands: [List.self, Sync.self, Bind.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cloud resources.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this account's resources.") var account: String?
        @Option(help: "Only this service (cdn, elb, ...).") var service: String?
        @Option(help: "Only this region.") var region: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            if let service, CloudService.named(service) == nil {
                throw Refusal("\(DisplayText.neutralized(service)) is not a service.")
            }
            let workspace = try global.openWorkspace(forReading: true)
            if let account { _ = try workspace.account(named: account) }
            let filter = ResourceFilter(service: service?.lowercased(), region: region, account: account)
            // Streamed (SPEC 8): 1,000,000 resources are written as they are read.
            if json {
                return try streamJSON { emit in
                    try workspace.store.read { db in try db.forEachResource(filter) { try emit(ResourceJSON($0)) } }
                }
            }
            try streamTable(header: ["ID", "ACCOUNT", "SERVICE", "REGION", "NAME", "DOMAIN", "CERTIFICATE"]) { emit in
                try workspace.store.read { db in
                    try db.forEachResource(filter) {
                        emit([$0.id.description, $0.account, $0.service, $0.region ?? "global", $0.name, $0.domain,
                              $0.certificateID?.description ?? "-"])
                    }
                }
            }
        }
    }

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refresh the resource inventory from the providers.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this account.") var account: String?

        func run() throws {
            let workspace = try global.openWorkspace()
            let outcomes = try workspace.synchronize(account)
            for outcome in outcomes { print("Synchronized " + outcome.sentence) }
            if outcomes.contains(where: \.failed) { throw ExitCode(1) }
        }
    }

    struct Bind: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bind a certificate pushed to a service to one of its resources.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The resource id, like r3.") var resource: String
        @Argument(help: "The certificate id, like c12.") var certificate: String
        @Flag(help: "Bind even when the certificate does not cover the resource's domain.") var force = false

        func run() throws {
            guard let resourceID = ResourceID(resource) else { throw Refusal("\"\(DisplayText.neutralized(resource))\" is not a resource id (like r3).") }
            let workspace = try global.openWorkspace()
            let certificate = try workspace.certificates.certificate(named: certificate)
            do {
                try workspace.push.bind(certificate.id, to: resourceID, anyway: force)
            } catch let uncovered as UncoveredBind {
                throw Refusal(uncovered.sentence + " Add --force to bind it anyway.")
            }
            // W5: what changed, with the account it changed in.
            let account = try workspace.store.read { try $0.resource(resourceID)?.account }
            print("Bound \(certificate.id) to \(resourceID)" + (account.map { " (account \(DisplayText.neutralized($0)))" } ?? "") + ".")
        }
    }
}

struct ResourceJSON: Encodable, StreamableJSON {
    var id: String
    var account: String
    var service: String
    @Nullable var region: String?
    var name: String
    var domain: String
    @Nullable var certificateId: String?

    init(_ resource: CloudResource) {
        id = resource.id.description
        account = resource.account
        service = resource.service
        region = resource.region
        name = resource.name
        domain = resource.domain
        certificateId = resource.certificateID?.description
    }

    /// In the order of the keys, as JSONEncoder sorts them.
    func writeJSON(into object: inout JSONObjectText) {
        object.add("account", account)
        object.add("certificateId", certificateId)
        object.add("domain", domain)
        object.add("id", id)
        object.add("name", name)
        object.add("region", region)
        object.add("service", service)
    }
}
