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
