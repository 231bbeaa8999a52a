import CertpushCore
import Foundation

/// A certificate as JSON and as `certs show` prints it: every field of
/// SPEC 2 but the key, which is not even reachable from here (SPEC C6).
struct CertificateJSON: Encodable {
    var id: String
    var name: String
    var domains: [String]
    var primaryDomain: String
    var keyAlgorithm: String
    var family: String
    var source: String
    var status: String
    @Nullable var notBefore: String?
    @Nullable var notAfter: String?
    var issuer: String
    var serial: String
    var fingerprint: String
    var chainLength: Int
    var hasPrivateKey: Bool
    var manualCSR: Bool
    var shared: Bool

    init(_ c: Certificate, now: Date) {
        id = c.id.description
        name = c.name
        domains = c.domains
        primaryDomain = c.primaryDomain
        keyAlgorithm = c.keyAlgorithm.rawValue
        family = c.family.rawValue
        source = c.source.rawValue
        status = c.status(at: now).rawValue
        notBefore = c.notBefore.map(Formats.iso)
        notAfter = c.notAfter.map(Formats.iso)
        issuer = c.issuer
        serial = c.serial
        fingerprint = c.fingerprint
        chainLength = c.chainPEM.count
        hasPrivateKey = c.hasPrivateKey
        manualCSR = c.manualCSR
        shared = c.shared
    }

    var fields: [(String, String)] {
        [("ID", id), ("Name", name), ("Domains", domains.joined(separator: ", ")), ("Primary domain", primaryDomain),
         ("Key algorithm", keyAlgorithm), ("Family", family), ("Source", source), ("Status", status),
         ("Not before", notBefore ?? "-"), ("Not after", notAfter ?? "-"), ("Issuer", issuer), ("Serial", serial),
         ("SHA-256", fingerprint), ("Chain", "\(chainLength) certificate(s)"),
         ("Private key", hasPrivateKey ? "held" : "not held"), ("Manual CSR", manualCSR ? "yes" : "no"),
         ("Shared", shared ? "yes" : "no")]
    }
}

enum Formats {
    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    static func day(_ date: Date) -> String { String(iso(date).prefix(10)) }
    static func minute(_ date: Date) -> String { iso(date).prefix(16).replacingOccurrences(of: "T", with: " ") }
}

/// SPEC 8: a field with no value is `null`, never left out, so every object
/// of one kind has the same keys. (Synthesised Encodable drops nil optionals.)
@propertyWrapper
struct Nullable<Value: Encodable>: Encodable {
    var wrappedValue: Value?
    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(DisplayText.escapingJSON(String(decoding: try encoder.encode(value), as: UTF8.self)))
}

/// Columns padded to their widest cell; every cell neutralised (SPEC C7).
func printTable(header: [String], rows: [[String]]) {
    let cells = [header] + rows.map { $0.map(DisplayText.neutralized) }
    var widths = header.map { _ in 0 }
    for row in cells { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    for row in cells {
        let line = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
        print(line)
    }
}
