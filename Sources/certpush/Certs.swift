import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

struct Certs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs", abstract: "List, show, import, rename and delete certificates.",
        subcommands: [List.self, Show.self, Import.self, Rename.self, Delete.self])

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a certificate another name (a CDN name clash, P4; a name D3 refuses).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id, like c12.") var id: String
        @Argument(help: "The new name.") var name: String

        func run() throws {
            let workspace = try global.openWorkspace()
            let certificate = try workspace.certificates.certificate(named: id)
            let renamed = try workspace.certificates.rename(certificate.id, to: name)
            print("Renamed \(renamed.id) from \(DisplayText.neutralized(certificate.name)) to \(DisplayText.neutralized(renamed.name)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the certificates, newest first.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let workspace = try global.openWorkspace(forReading: true)
            let now = Date()
            // Streamed (SPEC 8): 100,000 certificates are written as they are read.
            if json {
                try streamJSON { emit in try workspace.certificates.forEach { try emit(CertificateJSON($0, chainLength: $1, now: now)) } }
            } else {
                try streamTable(header: ["ID", "NAME", "DOMAIN", "STATUS", "SOURCE", "FAMILY", "EXPIRES"]) { emit in
                    try workspace.certificates.forEach { c, _ in
                        emit([c.id.description, c.name, c.primaryDomain, c.status(at: now).rawValue, c.source.rawValue,
                              c.family.rawValue, c.notAfter.map(Formats.day) ?? "-"])
                    }
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every field of one certificate (never its key).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id, like c12.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let workspace = try global.openWorkspace(forReading: true)
            let found = try workspace.certificates.certificate(named: id)
            let details = CertificateJSON(try workspace.certificates.details(found.id), now: Date())
            if json { return try printJSON(details) }
            for (label, value) in details.fields { print("\(label.padding(toLength: 16, withPad: " ", startingAt: 0)) \(DisplayText.neutralized(value))") }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a certificate, with its key and chain.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The certificate, PEM or DER; may hold its chain.", valueName: "file")) var cert: String
        @Option(help: ArgumentHelp("Its private key, PEM or DER.", valueName: "file")) var key: String?
        @Option(help: ArgumentHelp("Intermediate certificates.", valueName: "file")) var chain: String?
        @Option(help: "A name for it (default: its primary domain).") var name: String?
        @Option(help: ArgumentHelp("A file whose first line is the key's passphrase.", valueName: "file")) var passphraseFile: String?
        @Flag(help: "Mark it shared: free to deploy.") var shared = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let request = ImportRequest(
                certificate: try InputFile.load(path: cert), key: try key.map(InputFile.load),
                chain: try chain.map(InputFile.load), name: name,
                passphrase: try passphraseFile.map(Self.readPassphrase), shared: shared)
            let workspace = try global.openWorkspace()
            let stored = try workspace.certificates.importCertificate(request)
            if json { return try printJSON(CertificateJSON(stored, now: Date())) }
            print("Imported \(stored.id) \(DisplayText.neutralized(stored.name)) (\(stored.status(at: Date()).rawValue)).")
        }

        static func readPassphrase(_ path: String) throws -> String {
            let file = try InputFile.load(path: path)
            return String(decoding: file.bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a certificate and its key.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The certificate id, like c12.") var id: String

        func run() throws {
            let workspace = try global.openWorkspace()
            let certificate = try workspace.certificates.certificate(named: id)
            try workspace.certificates.delete(certificate.id)
            print("Deleted \(certificate.id) \(DisplayText.neutralized(certificate.name)).")
        }
    }
}
