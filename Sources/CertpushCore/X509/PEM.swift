import Crypto
import Foundation

/// One `-----BEGIN LABEL-----` ... `-----END LABEL-----` block.
struct PEMBlock: Equatable {
    var label: String
    var headers: [String]
    var der: [UInt8]
}

enum PEMError: Error, Equatable {
    /// A BEGIN line with no END line after it: the file was cut short.
    case unterminated(label: String)
    /// The base64 between the markers does not decode.
    case badBase64(label: String)
}

enum PEM {
    /// Whether the bytes look like PEM at all (a BEGIN marker anywhere).
    static func containsMarker(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes, as: UTF8.self).contains("-----BEGIN ")
    }

    /// Every block in the text, LF or CRLF, with anything between blocks ignored.
    static func blocks(in bytes: [UInt8]) throws(PEMError) -> [PEMBlock] {
        // A UTF-8 byte-order mark, as Windows editors write one, is not text (C8).
        let text = String(decoding: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...], as: UTF8.self)
        var blocks: [PEMBlock] = []
        var open: (label: String, lines: [String])?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if let label = marker(line, "BEGIN") {
                if let open { throw .unterminated(label: open.label) }
                open = (label, [])
            } else if let label = marker(line, "END"), let current = open {
                open = nil
                guard label == current.label else { throw .unterminated(label: current.label) }
                blocks.append(try decode(label: label, lines: current.lines))
            } else if open != nil, !line.isEmpty {
                open!.lines.append(line)
            }
        }
        if let open { throw .unterminated(label: open.label) }
        return blocks
    }

    static func encode(label: String, der: some Collection<UInt8>) -> String {
        let base64 = Data(der).base64EncodedString()
        var lines = ["-----BEGIN \(label)-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func marker(_ line: String, _ kind: String) -> String? {
        let prefix = "-----\(kind) ", suffix = "-----"
        guard line.hasPrefix(prefix), line.hasSuffix(suffix), line.count > prefix.count + suffix.count else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(suffix.count))
    }

    private static func decode(label: String, lines: [String]) throws(PEMError) -> PEMBlock {
        let headers = lines.filter { $0.contains(":") }
        let body = lines.filter { !$0.contains(":") }.joined()
        guard let data = Data(base64Encoded: body), !data.isEmpty else { throw .badBase64(label: label) }
        return PEMBlock(label: label, headers: headers, der: Array(data))
    }
}

/// SHA-256 of a certificate, as certpush keys certificates by it.
public enum Fingerprint {
    /// The fingerprint of the first certificate in PEM text (a leaf before its chain), or nil if there is none.
    public static func ofFirstCertificate(inPEM text: String) -> String? {
        guard let blocks = try? PEM.blocks(in: Array(text.utf8)),
              let first = blocks.first(where: { $0.label == "CERTIFICATE" }) else { return nil }
        return of(der: first.der)
    }

    /// The names the first certificate in PEM text covers (SAN DNS names, else its CN), or none.
    public static func domainsOfFirstCertificate(inPEM text: String) -> [String] {
        guard let blocks = try? PEM.blocks(in: Array(text.utf8)),
              let first = blocks.first(where: { $0.label == "CERTIFICATE" }),
              let parsed = try? ParsedCertificate(der: first.der) else { return [] }
        return parsed.domains
    }

    public static func of(der: some Collection<UInt8>) -> String {
        SHA256.hash(data: Array(der)).map { String(format: "%02x", $0) }.joined()
    }
}
