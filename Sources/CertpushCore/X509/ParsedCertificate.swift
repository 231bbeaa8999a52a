import Crypto
import Foundation
import SwiftASN1
import X509

/// The fields certpush needs from one X.509 certificate, read by walking its
/// DER. swift-certificates refuses SM2 keys, so the walk is ours; names are
/// still rendered by its `DistinguishedName`.
struct ParsedCertificate {
    var der: [UInt8]
    var serialHex: String
    var issuerDER: ArraySlice<UInt8>
    var subjectDER: ArraySlice<UInt8>
    var issuer: String
    var commonName: String?
    var notBefore: Date
    var notAfter: Date
    var publicKeyAlgorithmOID: String
    var publicKeyParameterOID: String?
    /// The subjectPublicKey BIT STRING's content.
    var publicKeyBits: [UInt8]
    var signatureAlgorithmOID: String
    var keyAlgorithm: KeyAlgorithm
    var dnsNames: [String]
    var ipAddresses: [String]
    /// SAN DNS names left out as no server could be named by them (empty,
    /// not ASCII, with spaces or control characters).
    var unusableDNSNames = 0
    /// Whether the subject has a common name whose bytes are not valid text of their type.
    var commonNameUnreadable = false
    var isCertificateAuthority: Bool

    var fingerprint: String {
        SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }

    /// SPEC C4: an SM2 key or an SM2-with-SM3 signature makes an SM certificate.
    var family: CertificateFamily {
        publicKeyParameterOID == OID.sm2Curve || signatureAlgorithmOID == OID.sm2WithSM3 ? .sm : .international
    }

    /// Why the certificate names no domain a server could use (SPEC C8);
    /// nil when it names one.
    var domainProblem: String? {
        guard domains.isEmpty else { return nil }
        if commonNameUnreadable { return "its common name is not valid text (not UTF-8 as it claims)" }
        let dnsPart = unusableDNSNames == 0 ? nil
            : unusableDNSNames == 1 ? "its only DNS name is empty or not a host name" : "its DNS names are empty or not host names"
        let commonNamePart = commonName.map { "its common name (\(DisplayText.neutralized($0))) is not a host name" }
        switch (dnsPart, commonNamePart) {
        case (nil, nil): return nil
        case (let dns?, nil): return dns + ", and it has no common name"
        case (nil, let cn?): return cn
        case (let dns?, let cn?): return dns + ", and " + cn
        }
    }

    /// SAN DNS names, else the CN (SPEC 2), lowercased and without repeats.
    /// A name no server could be reached by (empty, spaces, not ASCII) is left out.
    var domains: [String] {
        var names = dnsNames.isEmpty ? (commonName.flatMap { Self.isUsableName($0) ? [$0] : nil } ?? []) : dnsNames
        names = names.map { $0.lowercased() }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    static func isUsableName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    static func isUsableName(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// Whether this certificate issued `other` (by name; not a signature check).
    func issued(_ other: ParsedCertificate) -> Bool {
        der != other.der && subjectDER == other.issuerDER
    }

    /// A CA with no server name of its own: a root or intermediate, not a leaf.
    var isCertificateAuthorityOnly: Bool {
        isCertificateAuthority && dnsNames.isEmpty && !(commonName.map(DomainName.isHostname) ?? false)
    }

    var pem: String { PEM.encode(label: "CERTIFICATE", der: der) }

    init(der: [UInt8]) throws {
        self.der = der
        let root = try DER.parse(der)
        let tbs = try root.child(0)
        var fields = tbs.children
        if let first = fields.first, first.isContextTag(0) { fields.removeFirst() }
        guard fields.count >= 6 else { throw DERWalkError.missing }
        let (serialNode, signatureNode, issuerNode, validityNode, subjectNode, spkiNode) =
            (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])

        guard let serial = serialNode.primitiveBytes else { throw DERWalkError.missing }
        serialHex = serial.map { String(format: "%02x", $0) }.joined(separator: ":")
        issuerDER = issuerNode.encodedBytes
        subjectDER = subjectNode.encodedBytes
        let issuerName = try DistinguishedName(derEncoded: issuerNode)
        issuer = issuerName.description
        (commonName, commonNameUnreadable) = Self.commonName(in: subjectNode)

        notBefore = try Self.time(validityNode.child(0))
        notAfter = try Self.time(validityNode.child(1))

        guard let algorithm = try spkiNode.child(0).algorithm,
              let bits = try spkiNode.child(1).bitStringBytes else { throw DERWalkError.missing }
        publicKeyAlgorithmOID = algorithm.oid
        publicKeyParameterOID = algorithm.parameterOID
        publicKeyBits = Array(bits)
        keyAlgorithm = CurveNames.keyAlgorithm(try spkiNode.child(0), bits: publicKeyBits)

        // The outer signatureAlgorithm and the TBS one must agree; take the outer.
        signatureAlgorithmOID = (try? root.child(1).algorithm?.oid) ?? signatureNode.algorithm?.oid ?? ""

        dnsNames = []
        ipAddresses = []
        isCertificateAuthority = false
        if let extensions = fields.first(where: { $0.isContextTag(3) })?.children.first?.children {
            for ext in extensions { try read(extension: ext) }
        }
    }

    private mutating func read(extension node: ASN1Node) throws {
        let parts = node.children
        guard let oid = parts.first?.objectIdentifier, let value = parts.last?.octetStringBytes else { return }
        switch oid {
        case OID.subjectAltName:
            for name in try DER.parse(value).children {
                guard name.identifier.tagClass == .contextSpecific, let bytes = name.primitiveBytes else { continue }
                switch name.identifier.tagNumber {
                case 2:
                    if Self.isUsableName(bytes) {
                        dnsNames.append(String(decoding: bytes, as: UTF8.self))
                    } else {
                        unusableDNSNames += 1
                    }
                case 7: ipAddresses.append(Self.ipAddress(bytes))
                default: break
                }
            }
        case OID.basicConstraints:
            let flag = try DER.parse(value).children.first
            if let flag, flag.identifier == .boolean, let bytes = flag.primitiveBytes {
                isCertificateAuthority = bytes.first.map { $0 != 0 } ?? false
            }
        default:
            break
        }
    }

    /// The subject's first common name, read from its bytes as their string
    /// type says; unreadable when they are not valid text of that type.
    private static func commonName(in subject: ASN1Node) -> (name: String?, unreadable: Bool) {
        for rdn in subject.children {
            for attribute in rdn.children where attribute.children.first?.objectIdentifier == OID.commonName {
                guard attribute.children.count == 2, let bytes = attribute.children[1].primitiveBytes else { return (nil, true) }
                let text = decodeString(Array(bytes), tag: attribute.children[1].identifier.tagNumber)
                return (text, text == nil)
            }
        }
        return (nil, false)
    }

    /// The text of a DirectoryString, or nil when its bytes are not valid for its type.
    private static func decodeString(_ bytes: [UInt8], tag: UInt) -> String? {
        switch tag {
        case 12: return String(validating: bytes, as: UTF8.self)                      // UTF8String
        case 19, 22, 26: return bytes.allSatisfy({ $0 < 0x80 }) ? String(decoding: bytes, as: UTF8.self) : nil
        case 20: return String(bytes.map { Character(Unicode.Scalar($0)) })           // TeletexString, as Latin-1
        case 30:                                                                      // BMPString: UTF-16BE
            guard bytes.count % 2 == 0 else { return nil }
            let units = stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            return String(validating: units, as: UTF16.self)
        case 28:                                                                      // UniversalString: UTF-32BE
            guard bytes.count % 4 == 0 else { return nil }
            var scalars = String.UnicodeScalarView()
            for index in stride(from: 0, to: bytes.count, by: 4) {
                let value = bytes[index..<index + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                scalars.append(scalar)
            }
            return String(scalars)
        default: return nil
        }
    }

    private static func time(_ node: ASN1Node) throws -> Date {
        var parts = DateComponents()
        parts.timeZone = TimeZone(identifier: "UTC")
        if node.identifier == .utcTime {
            let time = try UTCTime(derEncoded: node)
            (parts.year, parts.month, parts.day) = (time.year, time.month, time.day)
            (parts.hour, parts.minute, parts.second) = (time.hours, time.minutes, time.seconds)
        } else {
            let time = try GeneralizedTime(derEncoded: node)
            (parts.year, parts.month, parts.day) = (time.year, time.month, time.day)
            (parts.hour, parts.minute, parts.second) = (time.hours, time.minutes, time.seconds)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: parts) else { throw DERWalkError.missing }
        return date
    }

    private static func ipAddress(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: bytes.startIndex, to: bytes.endIndex, by: 2).map { index in
            let high = UInt16(bytes[index]) << 8
            let low = index + 1 < bytes.endIndex ? UInt16(bytes[index + 1]) : 0
            return String(high | low, radix: 16)
        }.joined(separator: ":")
    }
}

/// An RSA public key's modulus and exponent.
struct RSAPublicKey: Equatable {
    var modulus: ArraySlice<UInt8>
    var exponent: ArraySlice<UInt8>

    init?(bits: [UInt8]) {
        guard let node = try? DER.parse(bits), node.children.count == 2,
              let modulus = node.children[0].unsignedInteger,
              let exponent = node.children[1].unsignedInteger else { return nil }
        self.modulus = modulus
        self.exponent = exponent
    }

    init(modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>) {
        self.modulus = modulus
        self.exponent = exponent
    }

    var modulusBitCount: Int { BigBytes.bitCount(modulus) }
}
