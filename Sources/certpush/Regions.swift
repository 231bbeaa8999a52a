import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

struct Regions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every region, with the regional services enabled there.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only the regions of this account (every account that takes pushes when none is named).") var account: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let workspace = try global.openWorkspace(forReading: true)
        // Every account that takes pushes, or the one named; none in a live workspace without one (W2).
        let accounts = try account.map { [try workspace.push.account($0)] } ?? workspace.push.accounts
        var seen = Set<String>()
        let regions = try accounts.flatMap { try workspace.push.regions(of: $0) }.filter { seen.insert($0.region.code).inserted }
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
