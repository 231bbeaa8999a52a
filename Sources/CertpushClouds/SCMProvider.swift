import CertpushCore
import Foundation

extension ProviderReference.Kind {
    /// SCM's id of a certificate, by its fingerprint (H2).
    public static let scmCertificate = Self(rawValue: "scm.certificate")
    /// The name SCM knows a certificate by (H6), by its fingerprint.
    public static let scmName = Self(rawValue: "scm.name")
    /// An account's domain id looked up through IAM (H5), by its access key id's SHA-256.
    public static let huaweiDomain = Self(rawValue: "huawei.domain")
}

/// The driver of a Huawei Cloud account (SPEC 11): it takes pushes into
/// SCM's services. A certificate is imported once per account and SCM's id
/// for it kept (H2).
public struct SCMProvider: Pusher {
    public let account: Account
    public let scm: HuaweiSCM
    public let store: any Store

    public init(account: Account, scm: HuaweiSCM, store: any Store) {
        self.account = account
        self.scm = scm
        self.store = store
    }

    public var actions: AccountActions { AccountActions(pusher: self) }

    static func idReference(_ account: String, _ fingerprint: String) -> ProviderReference {
        ProviderReference(.scmCertificate, account: account, subject: fingerprint)
    }

    /// SCM's id for the certificate, importing it the first time (H2).
    func imported(_ material: CertificateMaterial) throws -> String {
        let certificate = material.certificate
        let key = Self.idReference(account.name, certificate.fingerprint)
        if let id = try store.read({ try $0.reference(key) }) { return id }
        guard let pem = certificate.certificatePEM else { throw ProviderFailure("\(certificate.id) has no certificate to import") }
        let name = Self.scmName(certificate.name, id: certificate.id)
        let id = try scm.importCertificate(name: name, certificate: pem,
                                           chain: certificate.chainPEM.joined(separator: "\n"), privateKey: try material.key(for: "SCM"))
        try store.write { db in
            try db.setReference(id, for: key)
            try db.setReference(name, for: ProviderReference(.scmName, account: account.name, subject: certificate.fingerprint))
        }
        return id
    }

    /// H6: a name SCM takes (3 to 63 of letters, digits, `_`, `-`, `.`) made
    /// from the certificate's: `*` is `star`, any other character a `-`, and
    /// certpush's id last, so two certificates never share one
    /// (`*.example.com` of c12 is `star.example.com-c12`).
    public static func scmName(_ name: String, id: CertificateID) -> String {
        let suffix = "-\(id)"
        var base = ""
        for character in name.replacingOccurrences(of: "*", with: "star") {
            let taken = character.isASCII && (character.isLetter || character.isNumber || "_-.".contains(character))
            if taken {
                base.append(character)
            } else if !base.hasSuffix("-") {
                base.append("-")
            }
        }
        let edges = CharacterSet(charactersIn: "-.")
        base = String(base.trimmingCharacters(in: edges).prefix(63 - suffix.count)).trimmingCharacters(in: edges)
        return (base.isEmpty ? "certificate" : base) + suffix
    }

    /// H3: a global service target by target, a regional one in one batch.
    /// Only keys SCM refuses stop the push (R5); a refusal or a time-out is that target's.
    public func push(_ material: CertificateMaterial, service: CloudService, regions: [String?]) throws -> [Error?] {
        func each(_ body: () throws -> [Error?]) throws -> [Error?] {
            do {
                return try body()
            } catch let failure as CloudAuthenticationFailure {
                throw failure
            } catch let refusal as CloudRefusal {
                return regions.map { _ in ProviderFailure(refusal.cause) }
            } catch {
                return regions.map { _ in error }
            }
        }
        let id: String
        switch Result(catching: { try imported(material) }) {
        case .success(let imported): id = imported
        case .failure(let error): return try each { throw error }
        }
        guard service.regional else {
            // A global service is pushed with the account's first region as its project (assumed, SPEC 11 note).
            return try regions.map { _ in
                try each { [try scm.push(id, service: service.code, region: account.regions.first ?? "cn-north-4").map { ProviderFailure($0.cause) }] }[0]
            }
        }
        let named = regions.compactMap { $0 }
        return try each {
            let outcomes = try scm.batchPush(id, service: service.code, regions: named)
            return named.map { region in
                guard let outcome = outcomes[region] else { return ProviderFailure("SCM gave no result for \(region)") }
                return outcome.map { ProviderFailure($0.cause) }
            }
        }
    }

    /// SCM has no call that says where a certificate was pushed (deployed-resources says where it is in use).
    public func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool? { nil }

    /// H8: SCM's deployed-resources for each certificate imported through this account.
    public func inUse(_ certificates: [Certificate]) throws -> [CertificateID: [InUse]]? {
        let ids = try store.read { db in
            try certificates.compactMap { certificate in
                try db.reference(Self.idReference(account.name, certificate.fingerprint)).map { ($0, certificate.id) }
            }
        }
        var found: [CertificateID: [InUse]] = [:]
        // 50 a call: the largest page the API documents elsewhere (assumed; deployed-resources names no limit).
        for chunk in stride(from: 0, to: ids.count, by: 50).map({ Array(ids[$0..<min($0 + 50, ids.count)]) }) {
            let answer = try scm.deployedResources(chunk.map(\.0))
            for (scmID, certificate) in chunk {
                guard let deployed = answer[scmID] else { continue }
                found[certificate] = deployed.map { place in
                    InUse(target: PushTarget(service: place.service.lowercased(), region: place.region),
                          resource: place.resourceName.isEmpty || place.resourceName == place.resourceID
                            ? place.resourceID : "\(place.resourceName) (\(place.resourceID))")
                }
            }
        }
        return found
    }

    /// H6: the name SCM keeps it under.
    public func remoteName(of certificate: Certificate) throws -> String? {
        try store.read { try $0.reference(ProviderReference(.scmName, account: account.name, subject: certificate.fingerprint)) }
    }

    /// The regions the account's config names (or Huawei's), each with every regional service that takes pushes.
    public func regions() throws -> [RegionSummary] {
        let regional = CloudService.all.filter { $0.regional && $0.pushable }.map(\.code)
        return account.regions.map { RegionSummary(region: Region(code: $0, name: $0), services: regional) }
    }
}
