import SwiftASN1

/// A lenient walk over parsed DER: children by position, primitive bytes,
/// and the few universal types certificates and keys are made of.
extension ASN1Node {
    var children: [ASN1Node] {
        if case .constructed(let nodes) = content { return Array(nodes) }
        return []
    }

    var primitiveBytes: ArraySlice<UInt8>? {
        if case .primitive(let bytes) = content { return bytes }
        return nil
    }

    func child(_ index: Int) throws -> ASN1Node {
        let nodes = children
        guard index < nodes.count else { throw DERWalkError.missing }
        return nodes[index]
    }

    var objectIdentifier: String? {
        guard identifier == .objectIdentifier,
              let oid = try? ASN1ObjectIdentifier(derEncoded: self) else { return nil }
        return oid.description
    }

    /// An INTEGER's magnitude without the sign-padding zero.
    var unsignedInteger: ArraySlice<UInt8>? {
        guard identifier == .integer, var bytes = primitiveBytes else { return nil }
        while bytes.count > 1, bytes.first == 0 { bytes = bytes.dropFirst() }
        return bytes
    }

    /// The bytes inside a BIT STRING, without its unused-bits octet.
    var bitStringBytes: ArraySlice<UInt8>? {
        guard identifier == .bitString, let bytes = primitiveBytes, !bytes.isEmpty else { return nil }
        return bytes.dropFirst()
    }

    var octetStringBytes: ArraySlice<UInt8>? {
        guard identifier == .octetString else { return nil }
        return primitiveBytes
    }

    /// Whether this is the context-specific tag `[number]`.
    func isContextTag(_ number: UInt) -> Bool {
        identifier.tagClass == .contextSpecific && identifier.tagNumber == number
    }

    /// An AlgorithmIdentifier: its OID and, where it is one, the OID of its parameters.
    var algorithm: (oid: String, parameterOID: String?)? {
        let parts = children
        guard let oid = parts.first?.objectIdentifier else { return nil }
        return (oid, parts.count > 1 ? parts[1].objectIdentifier : nil)
    }
}

enum DERWalkError: Error {
    case missing
}

/// Object identifiers certpush looks at.
enum OID {
    static let rsaEncryption = "1.2.840.113549.1.1.1"
    static let ecPublicKey = "1.2.840.10045.2.1"
    static let ed25519 = "1.3.101.112"
    static let ed448 = "1.3.101.113"
    static let p256 = "1.2.840.10045.3.1.7"
    static let p384 = "1.3.132.0.34"
    static let p521 = "1.3.132.0.35"
    static let sm2Curve = "1.2.156.10197.1.301"
    static let sm2WithSM3 = "1.2.156.10197.1.501"
    static let subjectAltName = "2.5.29.17"
    static let basicConstraints = "2.5.29.19"
    static let commonName = "2.5.4.3"
    static let pbes2 = "1.2.840.113549.1.5.13"
    static let pbkdf2 = "1.2.840.113549.1.5.12"
    static let hmacWithSHA1 = "1.2.840.113549.2.7"
    static let hmacWithSHA256 = "1.2.840.113549.2.9"
    static let hmacWithSHA384 = "1.2.840.113549.2.10"
    static let hmacWithSHA512 = "1.2.840.113549.2.11"
    static let aes128CBC = "2.16.840.1.101.3.4.1.2"
    static let aes192CBC = "2.16.840.1.101.3.4.1.22"
    static let aes256CBC = "2.16.840.1.101.3.4.1.42"
    static let rsassaPSS = "1.2.840.113549.1.1.10"
    static let dsa = "1.2.840.10040.4.1"
    static let x25519 = "1.3.101.110"
    static let x448 = "1.3.101.111"
    static let scrypt = "1.3.6.1.4.1.11591.4.11"
    static let hmacWithSHA224 = "1.2.840.113549.2.8"
    static let desEDE3CBC = "1.2.840.113549.3.7"
    static let primeField = "1.2.840.10045.1.1"

    /// PKCS#5 PBES1 and PKCS#12 password-based encryptions: read by no one
    /// who writes keys today, refused with the command that converts them.
    static let passwordBasedEncryptions: [String: String] = [
        "1.2.840.113549.1.5.1": "PBES1 pbeWithMD2AndDES-CBC",
        "1.2.840.113549.1.5.3": "PBES1 pbeWithMD5AndDES-CBC",
        "1.2.840.113549.1.5.4": "PBES1 pbeWithMD2AndRC2-CBC",
        "1.2.840.113549.1.5.6": "PBES1 pbeWithMD5AndRC2-CBC",
        "1.2.840.113549.1.5.10": "PBES1 pbeWithSHA1AndDES-CBC",
        "1.2.840.113549.1.5.11": "PBES1 pbeWithSHA1AndRC2-CBC",
        "1.2.840.113549.1.12.1.1": "PKCS#12 pbeWithSHAAnd128BitRC4",
        "1.2.840.113549.1.12.1.2": "PKCS#12 pbeWithSHAAnd40BitRC4",
        "1.2.840.113549.1.12.1.3": "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.4": "PKCS#12 pbeWithSHAAnd2-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.5": "PKCS#12 pbeWithSHAAnd128BitRC2-CBC",
        "1.2.840.113549.1.12.1.6": "PKCS#12 pbeWithSHAAnd40BitRC2-CBC",
    ]
}
