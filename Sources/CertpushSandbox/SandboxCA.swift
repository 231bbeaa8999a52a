import _CryptoExtras
import CertpushCore
import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificate authority the sandbox makes for itself: its "official"
/// certificates are real X.509, signed by this CA.
struct SandboxCA {
    let key: P256.Signing.PrivateKey
    let certificate: X509.Certificate

    static let subject = try! DistinguishedName {
        OrganizationName("certpush Sandbox")
        CommonName("certpush Sandbox CA")
    }

    /// A new CA, valid ten years from `now`.
    init(now: Date) throws {
        key = P256.Signing.PrivateKey()
        certificate = try X509.Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(3_650 * 86_400),
            issuer: Self.subject, subject: Self.subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    /// Restores a CA saved by `pem`.
    init(certificatePEM: String, keyPEM: String) throws {
        certificate = try X509.Certificate(pemEncoded: certificatePEM)
        key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
    }

    var certificatePEM: String { get throws { try certificate.serializeAsPEM().pemString } }
    var keyPEM: String { key.pemRepresentation }

    enum LeafKey {
        case p256, p384, rsa2048
    }

    /// A server certificate for `domains`, with its key, both PEM.
    func issue(domains: [String], key kind: LeafKey, from notBefore: Date, to notAfter: Date,
               issuer: DistinguishedName? = nil) throws -> (certificate: String, key: String) {
        let leafKey: X509.Certificate.PrivateKey
        let leafKeyPEM: String
        switch kind {
        case .p256:
            let key = P256.Signing.PrivateKey()
            (leafKey, leafKeyPEM) = (.init(key), key.pemRepresentation)
        case .p384:
            let key = P384.Signing.PrivateKey()
            (leafKey, leafKeyPEM) = (.init(key), key.pemRepresentation)
        case .rsa2048:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            (leafKey, leafKeyPEM) = (.init(key), key.pemRepresentation)
        }
        let subject = try DistinguishedName {
            OrganizationName("certpush Sandbox")
            CommonName(domains[0])
        }
        let leaf = try X509.Certificate(
            version: .v3, serialNumber: .init(), publicKey: leafKey.publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: issuer ?? certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames(domains.map { .dnsName($0) })
            },
            issuerPrivateKey: .init(key))
        return (try leaf.serializeAsPEM().pemString, leafKeyPEM)
    }
}
