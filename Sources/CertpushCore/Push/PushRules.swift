import Foundation

/// One place a certificate is pushed to: a service, and a region for regional ones.
public struct PushTarget: Hashable, Sendable, CustomStringConvertible {
    public var service: String
    public var region: String?
    public init(service: String, region: String?) {
        self.service = service
        self.region = region
    }
    public var description: String { service.uppercased() + (region.map { " in \($0)" } ?? "") }
    /// "WAF ap-southeast-1": for a narrow column, where the region must not be cut.
    public var compact: String { service.uppercased() + (region.map { " \($0)" } ?? "") }
}

/// What a user asked for: services, each with its regions (none for global ones).
public struct PushRequest: Sendable, Equatable {
    public var certificate: CertificateID
    public var selections: [Selection]
    /// The account that takes the push (H4); nil for the only one there is.
    public var account: String?

    public struct Selection: Sendable, Equatable {
        public var service: String
        public var regions: [String]
        public init(service: String, regions: [String] = []) {
            self.service = service
            self.regions = regions
        }
    }

    public init(certificate: CertificateID, selections: [Selection], account: String? = nil) {
        self.certificate = certificate
        self.selections = selections
        self.account = account
    }

    /// The CLI's form: every regional service gets all the regions named.
    /// Regions named with only global services stay on them, so that
    /// validation refuses them rather than dropping them unseen.
    public init(certificate: CertificateID, services: [String], regions: [String], account: String? = nil) {
        self.certificate = certificate
        self.account = account
        let anyRegional = services.contains { CloudService.named($0)?.regional == true }
        selections = services.map { code in
            let regional = CloudService.named(code)?.regional ?? true
            return Selection(service: code, regions: regional || !anyRegional ? regions : [])
        }
    }
}

/// SPEC 4, P1 to P6: what may be pushed where. Pure: the caller hands in the
/// facts (the time, the regions, what each service store holds).
public enum PushRules {
    public static let maximumRegions = 10
    public static let tooManyRegions = "You can select up to 10 regions."

    /// P1 and P2: whether this certificate can be pushed at all.
    public static func checkPushable(_ certificate: Certificate, now: Date) throws(Refusal) {
        let status = certificate.status(at: now)
        let prefix = "\(certificate.id) cannot be pushed: "
        switch status {
        case .pending, .revoked, .expired:
            throw Refusal(prefix + "it is \(status.rawValue); only issued or hosted certificates inside their validity can be pushed.")
        case .issued, .hosted:
            if let notBefore = certificate.notBefore, now < notBefore {
                let day = ISOTime.string(notBefore).prefix(10)
                throw Refusal(prefix + "it is not valid until \(day); only certificates inside their validity can be pushed.")
            }
        }
        if certificate.manualCSR {
            throw Refusal(prefix + "its CSR was generated manually; the private key is not held here.")
        }
        if !certificate.hasPrivateKey {
            throw Refusal(prefix + "no private key held; import it again with its key.")
        }
    }

    /// P5 and the shape of the request: the targets, or a refusal before anything runs.
    public static func targets(of request: PushRequest, knownRegions: Set<String>) throws(Refusal) -> [PushTarget] {
        guard !request.selections.isEmpty else { throw Refusal("Choose at least one service to push to.") }
        let pushable = CloudService.pushTargets.map(\.code).joined(separator: ", ")
        var targets: [PushTarget] = []
        for selection in request.selections {
            guard let service = CloudService.named(selection.service) else {
                throw Refusal("\(DisplayText.neutralized(selection.service)) is not a service; certificates are pushed to \(pushable).")
            }
            guard service.pushable else {
                throw Refusal("\(service.label) does not take pushed certificates; certificates are pushed to \(pushable).")
            }
            var regions: [String] = []
            for region in selection.regions where !regions.contains(region) { regions.append(region) }
            if service.regional {
                guard !regions.isEmpty else { throw Refusal("\(service.label) is regional: choose 1 to \(maximumRegions) regions.") }
                guard regions.count <= maximumRegions else { throw Refusal(tooManyRegions) }
                if let unknown = regions.first(where: { !knownRegions.contains($0) }) {
                    throw Refusal("\(DisplayText.neutralized(unknown)) is not a region.")
                }
                targets += regions.map { PushTarget(service: service.code, region: $0) }
            } else {
                guard regions.isEmpty else { throw Refusal("\(service.label) is global and takes no region.") }
                targets.append(PushTarget(service: service.code, region: nil))
            }
        }
        var seen = Set<PushTarget>()
        return targets.filter { seen.insert($0).inserted }
    }

    /// P3, P4, P6 and what the service accepts: why this one target fails, or nil.
    public static func failure(pushing certificate: Certificate, to target: PushTarget, enabled: Bool,
                               store: [ServiceStoreEntry]) -> String? {
        guard let service = CloudService.named(target.service) else { return "unknown service" }
        let place = service.label + (target.region.map { " in \($0)" } ?? "")
        if !enabled { return "\(service.label) is not enabled in \(target.region ?? "this account")" }
        if certificate.family == .sm && !service.acceptsSM { return "\(service.label) does not accept SM certificates" }
        if !accepts(service, certificate.keyAlgorithm) { return "\(service.label) does not accept \(certificate.keyAlgorithm) keys" }
        if store.contains(where: { $0.fingerprint == certificate.fingerprint }) { return "\(place) already has this certificate" }
        if service.code == "cdn", store.contains(where: { $0.name == certificate.name }) {
            return "CDN already has a certificate named \(DisplayText.neutralized(certificate.name))"
        }
        return nil
    }

    /// The key types cloud load balancers, firewalls and CDNs take.
    public static func accepts(_ service: CloudService, _ algorithm: KeyAlgorithm) -> Bool {
        if algorithm == .sm2 { return service.acceptsSM }
        return algorithm.rawValue.hasPrefix("RSA-") || algorithm == .ecP256 || algorithm == .ecP384
    }
}
