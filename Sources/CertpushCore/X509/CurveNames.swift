import SwiftASN1

/// Names of the public key algorithms and curves a certificate may carry
/// (SPEC C8: named as the certificate says, never "unknown" for a standard one).
enum CurveNames {
    /// Curves by OID, as OpenSSL names them, beyond those `PrimeCurve` computes on.
    static let names: [String: String] = [
        "1.2.840.10045.3.1.1": "P192", "1.2.840.10045.3.1.7": "P256", "1.3.132.0.34": "P384", "1.3.132.0.35": "P521",
        "1.3.132.0.33": "secp224r1", "1.3.132.0.10": "secp256k1", "1.3.132.0.31": "secp192k1", "1.3.132.0.32": "secp224k1",
        "1.3.132.0.6": "secp112r1", "1.3.132.0.7": "secp112r2", "1.3.132.0.28": "secp128r1", "1.3.132.0.29": "secp128r2",
        "1.3.132.0.9": "secp160k1", "1.3.132.0.8": "secp160r1", "1.3.132.0.30": "secp160r2",
        "1.3.132.0.1": "sect163k1", "1.3.132.0.2": "sect163r1", "1.3.132.0.15": "sect163r2", "1.3.132.0.24": "sect193r1",
        "1.3.132.0.25": "sect193r2", "1.3.132.0.26": "sect233k1", "1.3.132.0.27": "sect233r1", "1.3.132.0.3": "sect239k1",
        "1.3.132.0.16": "sect283k1", "1.3.132.0.17": "sect283r1", "1.3.132.0.36": "sect409k1", "1.3.132.0.37": "sect409r1",
        "1.3.132.0.38": "sect571k1", "1.3.132.0.39": "sect571r1",
        "1.3.36.3.3.2.8.1.1.1": "brainpoolP160r1", "1.3.36.3.3.2.8.1.1.3": "brainpoolP192r1",
        "1.3.36.3.3.2.8.1.1.5": "brainpoolP224r1", "1.3.36.3.3.2.8.1.1.7": "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.9": "brainpoolP320r1", "1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1", "1.2.156.10197.1.301": "SM2",
    ]

    static func name(of curve: String) -> String { names[curve] ?? "OID \(curve)" }

    /// The key algorithm of a SubjectPublicKeyInfo's AlgorithmIdentifier and key bits.
    static func keyAlgorithm(_ algorithm: ASN1Node, bits: [UInt8]) -> KeyAlgorithm {
        guard let oid = algorithm.algorithm?.oid else { return .unknown }
        let parameters = algorithm.children.dropFirst().first
        switch oid {
        case OID.rsaEncryption, OID.rsassaPSS:
            guard let key = RSAPublicKey(bits: bits) else { return .unknown }
            return KeyAlgorithm(rawValue: (oid == OID.rsassaPSS ? "RSA-PSS-" : "RSA-") + String(key.modulusBitCount))
        case OID.ecPublicKey:
            let curve = parameters.flatMap(PrimeCurve.oid(ofParameters:))
            switch curve {
            case OID.sm2Curve: return .sm2
            case let curve?: return KeyAlgorithm(rawValue: "EC-" + name(of: curve))
            case nil: return KeyAlgorithm(rawValue: parameters?.identifier == .sequence ? "EC-explicit" : "EC")
            }
        case OID.ed25519: return .ed25519
        case OID.ed448: return KeyAlgorithm(rawValue: "Ed448")
        case OID.x25519: return KeyAlgorithm(rawValue: "X25519")
        case OID.x448: return KeyAlgorithm(rawValue: "X448")
        case OID.dsa:
            return dsa(primeP: parameters?.children.first?.unsignedInteger)
        case "1.2.840.10046.2.1": return KeyAlgorithm(rawValue: "DH")
        case "1.2.643.7.1.1.1.1": return KeyAlgorithm(rawValue: "GOST-2012-256")
        case "1.2.643.7.1.1.1.2": return KeyAlgorithm(rawValue: "GOST-2012-512")
        default: return KeyAlgorithm(rawValue: "OID \(oid)")
        }
    }

    /// "DSA-2048" by the size of its prime p; "DSA" when the parameters do not say.
    static func dsa(primeP: ArraySlice<UInt8>?) -> KeyAlgorithm {
        KeyAlgorithm(rawValue: primeP.map { "DSA-\(BigBytes.bitCount($0))" } ?? "DSA")
    }
}
