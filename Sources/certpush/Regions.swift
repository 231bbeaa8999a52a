import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

struct Regions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every region, with the regional services enabled there.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The account (only the sandbox exists yet).") var account: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let workspace = try global.openWorkspace()
        if let account, account != workspace.provider.name {
            throw Refusal("There is no account \(DisplayText.neutralized(account)); the accounts are: \(workspace.provider.name).")
        }
        let regions = try workspace.push.regions()
        if json { return try printJSON(regions.map(RegionJSON.init)) }
        printTable(header: ["CODE", "NAME", "SERVICES"], rows: regions.map {
            [$0.region.code, $0.region.name, $0.services.isEmpty ? "-" : $0.services.joined(separator: " ")]
        })
    }
}

struct RegionJSON: Encodable {
    var code: String
    var name: String
    var services: [String]

    init(_ summary: RegionSummary) {
        code = summary.region.code
        name = summary.region.name
        services = summary.services
    }
}
