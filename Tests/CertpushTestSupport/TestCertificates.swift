import CertpushCore
import Crypto
import Foundation
import X509

/// Certificates made for one test, for names the fixture corpus does not have.
public enum TestCertificates {
    /// A self-signed server certificate for `domains`, valid around `testNow`, with its key; both PEM.
    public static func issue(_ domains: [String]) throws -> (certificate: String, key: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(domains[0]) }
        let certificate = try X509.Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: testNow.addingTimeInterval(-86_400), notValidAfter: testNow.addingTimeInterval(365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames(domains.map { .dnsName($0) })
            },
            issuerPrivateKey: .init(key))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }

    /// A SEC1 P-256 key ("EC PRIVATE KEY") holding `secretOf`'s secret and `pointOf`'s public point:
    /// honest when the two are one key, forged (issue 21's finding) when they are not.
    public static func sec1Key(secretOf: String, pointOf: String) throws -> String {
        let secret = try P256.Signing.PrivateKey(pemRepresentation: secretOf).rawRepresentation
        let point = try P256.Signing.PrivateKey(pemRepresentation: pointOf).publicKey.x963Representation
        // SEQUENCE { INTEGER 1, OCTET STRING secret, [0] OID prime256v1, [1] BIT STRING point }
        let body: [UInt8] = [0x02, 0x01, 0x01, 0x04, 0x20] + secret
            + [0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
            + [0xA1, 0x44, 0x03, 0x42, 0x00] + point
        let der = [0x30, UInt8(body.count)] + body
        let lines = Data(der).base64EncodedString().chunked(64)
        return "-----BEGIN EC PRIVATE KEY-----\n" + lines.joined(separator: "\n") + "\n-----END EC PRIVATE KEY-----\n"
    }
}

extension String {
    func chunked(_ size: Int) -> [String] {
        stride(from: 0, to: count, by: size).map { start in
            let from = index(startIndex, offsetBy: start)
            return String(self[from..<(index(from, offsetBy: size, limitedBy: endIndex) ?? endIndex)])
        }
    }
}

extension SandboxFixture {
    /// Imports a new uploaded certificate for `domains`, with its key.
    public func importCertificate(_ domains: [String], name: String? = nil) throws -> CertpushCore.Certificate {
        let issued = try TestCertificates.issue(domains)
        return try certificates.importCertificate(ImportRequest(
            certificate: InputFile(name: "\(domains[0]).pem", bytes: Array(issued.certificate.utf8)),
            key: InputFile(name: "\(domains[0]).key", bytes: Array(issued.key.utf8)), name: name))
    }

    /// Adds a resource to the sandbox cloud.
    public func addResource(_ service: String, region: String? = nil, name: String, domain: String,
                            certificate: CertificateID? = nil, fault: String? = nil) throws -> CloudResource {
        try workspace.store.write { db in
            let id = try db.insertResource(CloudResource(id: ResourceID(0), service: service, region: region, name: name, domain: domain,
                                                         certificateID: certificate, fault: fault))
            return try db.resource(id)!
        }
    }
}
