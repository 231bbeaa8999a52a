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
    var dnsNames: [String]
    var ipAddresses: [String]
    var isCertificateAuthority: Bool

    var fingerprint: String {
        SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }

    var keyAlgorithm: KeyAlgorithm {
        switch publicKeyAlgorithmOID {
        case OID.rsaEncryption:
            return RSAPublicKey(bits: publicKeyBits).map { .rsa(bits: $0.modulusBitCount) } ?? .unknown
        case OID.ecPublicKey:
            switch publicKeyParameterOID {
            case OID.p256: return .ecP256
            case OID.p384: return .ecP384
            case OID.p521: return .ecP521
            case OID.sm2Curve: return .sm2
            default: return .unknown
            }
        case OID.ed25519: return .ed25519
        case OID.ed448: return KeyAlgorithm(rawValue: "Ed448")
        default: return .unknown
        }
    }

    /// SPEC C4: an SM2 key or an SM2-with-SM3 signature makes an SM certificate.
    var family: CertificateFamily {
        publicKeyParameterOID == OID.sm2Curve || signatureAlgorithmOID == OID.sm2WithSM3 ? .sm : .international
    }

    /// SAN DNS names, else the CN (SPEC 2), lowercased and without repeats.
    var domains: [String] {
        var names = dnsNames.isEmpty ? (commonName.map { [$0] } ?? []) : dnsNames
        names = names.map { $0.lowercased() }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
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
        let subjectName = try DistinguishedName(derEncoded: subjectNode)
        commonName = Self.commonName(of: subjectName)

        notBefore = try Self.time(validityNode.child(0))
        notAfter = try Self.time(validityNode.child(1))

        guard let keyAlgorithm = try spkiNode.child(0).algorithm,
              let bits = try spkiNode.child(1).bitStringBytes else { throw DERWalkError.missing }
        publicKeyAlgorithmOID = keyAlgorithm.oid
        publicKeyParameterOID = keyAlgorithm.parameterOID
        publicKeyBits = Array(bits)

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
                case 2: dnsNames.append(String(decoding: bytes, as: UTF8.self))
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

    private static func commonName(of name: DistinguishedName) -> String? {
        for rdn in name {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
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

    var modulusBitCount: Int {
        guard let first = modulus.first else { return 0 }
        return (modulus.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}
