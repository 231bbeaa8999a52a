import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the database: the training sandbox, or empty with --empty.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Create it without the sandbox's demo certificates.") var empty = false

    func run() throws {
        let path = global.databasePath
        guard !FileManager.default.fileExists(atPath: path) else {
            throw Refusal("The database \(path) already exists; nothing was changed.")
        }
        let workspace = try global.openWorkspace(create: true, empty: empty)
        let count = try workspace.certificates.count(CertificateQuery())
        print(empty ? "Created an empty database at \(path)." : "Created the training sandbox at \(path) with \(count) certificates.")
    }
}
