import CertpushCore
import Foundation

/// A certificate as JSON and as `certs show` prints it: every field of
/// SPEC 2 but the key, which is not even reachable from here (SPEC C6).
struct CertificateJSON: Encodable, StreamableJSON {
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
    /// Nil (null) for a pending certificate, which has neither yet.
    @Nullable var serial: String?
    @Nullable var fingerprint: String?
    var chainLength: Int
    var hasPrivateKey: Bool
    var manualCSR: Bool
    var shared: Bool

    init(_ c: Certificate, chainLength: Int? = nil, now: Date) {
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
        serial = c.serial.isEmpty ? nil : c.serial
        fingerprint = c.fingerprint.isEmpty ? nil : c.fingerprint
        self.chainLength = chainLength ?? c.chainPEM.count
        hasPrivateKey = c.hasPrivateKey
        manualCSR = c.manualCSR
        shared = c.shared
    }

    /// In the order of the keys, as JSONEncoder sorts them.
    func writeJSON(into object: inout JSONObjectText) {
        object.add("chainLength", chainLength)
        object.add("domains", domains)
        object.add("family", family)
        object.add("fingerprint", fingerprint)
        object.add("hasPrivateKey", hasPrivateKey)
        object.add("id", id)
        object.add("issuer", issuer)
        object.add("keyAlgorithm", keyAlgorithm)
        object.add("manualCSR", manualCSR)
        object.add("name", name)
        object.add("notAfter", notAfter)
        object.add("notBefore", notBefore)
        object.add("primaryDomain", primaryDomain)
        object.add("serial", serial)
        object.add("shared", shared)
        object.add("source", source)
        object.add("status", status)
    }

    var fields: [(String, String)] {
        [("ID", id), ("Name", name), ("Domains", domains.joined(separator: ", ")), ("Primary domain", primaryDomain),
         ("Key algorithm", keyAlgorithm), ("Family", family), ("Source", source), ("Status", status),
         ("Not before", notBefore ?? "-"), ("Not after", notAfter ?? "-"), ("Issuer", issuer), ("Serial", serial ?? "-"),
         ("SHA-256", fingerprint ?? "-"), ("Chain", "\(chainLength) certificate(s)"),
         ("Private key", hasPrivateKey ? "held" : "not held"), ("Manual CSR", manualCSR ? "yes" : "no"),
         ("Shared", shared ? "yes" : "no")]
    }
}

enum Formats {
    static func iso(_ date: Date) -> String { ISOTime.string(date) }
    static func day(_ date: Date) -> String { String(iso(date).prefix(10)) }
    /// "2026-12-08 10:00 UTC+08:00": local, as `--at` reads a time, with its zone.
    static func minute(_ date: Date) -> String { ISOTime.shown(date, zone: .current) }
    /// A stored ISO 8601 time shown as `minute` does; nil when there is none.
    static func minute(isoText: String?) -> String? { isoText.flatMap { try? ISOTime.parse($0) }.map(minute) }
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

/// Standard output through one buffer, written in large pieces: a list of
/// 100,000 rows goes out as it is read, at the speed of the disk.
final class StreamOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }
    deinit { flush() }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 { offset += written } else if errno != EINTR { return }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A row of a long list that writes its own JSON object: JSONEncoder costs
/// 60 µs an object, which is a minute at a million resources. The fields are
/// the same as the type's Encodable ones (a test compares the two).
protocol StreamableJSON {
    func writeJSON(into object: inout JSONObjectText)
}

/// One pretty-printed JSON object, keys sorted, as JSONEncoder prints them,
/// written straight into bytes: a list of 100,000 certificates makes no
/// string per field. Fields are added in the order of their keys (checked
/// in debug builds), so that nothing is sorted per object.
struct JSONObjectText {
    private(set) var bytes: [UInt8] = []
    private let indent: [UInt8]
    private var fields = 0
    #if DEBUG
    private var lastKey = ""
    #endif

    init(indent: String) {
        self.indent = Array(indent.utf8)
        bytes.reserveCapacity(1_024)
    }

    /// Starts the next object in the same bytes.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        fields = 0
        #if DEBUG
        lastKey = ""
        #endif
    }

    mutating func add(_ key: String, _ value: String?) {
        self.key(key)
        if let value { Self.append(quoted: value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }

    mutating func add(_ key: String, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func add(_ key: String, _ value: Int) {
        self.key(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func add(_ key: String, _ values: [String]) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        if values.isEmpty { bytes.append(UInt8(ascii: "\n")) }
        for (index, value) in values.enumerated() {
            bytes.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
            bytes.append(contentsOf: indent)
            bytes.append(contentsOf: "    ".utf8)
            Self.append(quoted: value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: indent)
        bytes.append(contentsOf: "  ]".utf8)
    }

    /// An array of objects, each written by `write` into an object one level in.
    mutating func add<Element>(_ key: String, objects: [Element], _ write: (Element, inout JSONObjectText) -> Void) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        if objects.isEmpty { bytes.append(UInt8(ascii: "\n")) }
        var inner = JSONObjectText(indent: String(decoding: indent, as: UTF8.self) + "    ")
        for (index, element) in objects.enumerated() {
            bytes.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
            bytes.append(contentsOf: indent)
            bytes.append(contentsOf: "    ".utf8)
            inner.reset()
            write(element, &inner)
            inner.finish()
            bytes.append(contentsOf: inner.bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: indent)
        bytes.append(contentsOf: "  ]".utf8)
    }

    /// The object closed.
    mutating func finish() {
        if fields == 0 { bytes.append(contentsOf: "{\n".utf8) }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: indent)
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func key(_ key: String) {
        #if DEBUG
        precondition(key > lastKey, "JSON keys go in sorted order: \(key) after \(lastKey)")
        lastKey = key
        #endif
        bytes.append(contentsOf: (fields == 0 ? "{\n" : ",\n").utf8)
        bytes.append(contentsOf: indent)
        bytes.append(contentsOf: "  \"".utf8)
        Self.append(key, to: &bytes)
        bytes.append(contentsOf: "\" : ".utf8)
        fields += 1
    }

    /// A JSON string's bytes: plain ASCII as it is, anything else through `quoted`.
    static func append(quoted text: String, to bytes: inout [UInt8]) {
        var text = text
        let done: Bool = text.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 >= 0x7F }) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if !done { append(quoted(text), to: &bytes) }
    }

    /// A string's UTF-8, copied at once.
    static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// A JSON string: quotes, backslashes and C0 controls escaped, then what `escapingJSON` adds.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return DisplayText.escapingJSON(out + "\"")
    }
}

/// SPEC 8: a long list as a JSON array, written an element at a time, in
/// the same shape `printJSON` gives a whole array.
func streamJSON<Element: StreamableJSON>(_ produce: ((Element) throws -> Void) throws -> Void) throws {
    let output = StreamOutput()
    var first = true
    output.write("[")
    var object = JSONObjectText(indent: "  ")
    try produce { element in
        object.reset()
        element.writeJSON(into: &object)
        object.finish()
        output.write(first ? "\n  " : ",\n  ")
        output.write(bytes: object.bytes)
        first = false
    }
    output.write(first ? "\n\n]\n" : "\n]\n")
    output.flush()
}

/// A table written as it is read, never cut: a long list is not held to
/// find its widest cell.
func streamTable(header: [String], _ produce: (([String]) -> Void) throws -> Void) throws {
    let output = StreamOutput()
    // Columns as wide as the header and the first page need; later rows use
    // the same widths (a longer cell pushes its line only), so a million rows
    // stream without being held.
    let firstPage = 500
    var buffered: [[String]] = [header], widths: [Int]?
    func line(_ cells: [String], _ widths: [Int]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
        }.joined(separator: "  ") + "\n"
    }
    func settle() -> [Int] {
        if let widths { return widths }
        let measured = header.indices.map { index in buffered.map { $0[index].count }.max() ?? 0 }
        for row in buffered { output.write(line(row, measured)) }
        buffered = []
        widths = measured
        return measured
    }
    try produce { row in
        let cells = row.map(DisplayText.neutralized)
        if widths == nil && buffered.count <= firstPage {
            buffered.append(cells)
        } else {
            output.write(line(cells, settle()))
        }
    }
    _ = settle()
    output.flush()
}

/// One object of a long list's kind, written as `printJSON` would write it.
func printStreamedJSON(_ value: some StreamableJSON) {
    var object = JSONObjectText(indent: "")
    value.writeJSON(into: &object)
    object.finish()
    let output = StreamOutput()
    output.write(bytes: object.bytes)
    output.write("\n")
    output.flush()
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
            index == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
        }.joined(separator: "  ")
        print(line)
    }
}
