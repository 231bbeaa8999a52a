import Foundation

/// One attempted target, as kept for ever (P7).
public struct PushRecord: Sendable, Equatable {
    public var at: Date
    public var user: String
    public var certificateID: CertificateID
    public var target: PushTarget
    public var succeeded: Bool
    /// Why it failed; empty when it succeeded.
    public var reason: String

    public init(at: Date, user: String, certificateID: CertificateID, target: PushTarget, succeeded: Bool, reason: String) {
        self.at = at
        self.user = user
        self.certificateID = certificateID
        self.target = target
        self.succeeded = succeeded
        self.reason = reason
    }
}

/// Pushes certificates into service stores (SPEC 4): refusals before anything
/// runs, then each target on its own, all recorded in one transaction.
public struct PushService: Sendable {
    public let store: any Store
    public let provider: any CloudProvider
    public let time: any TimeSource
    public let user: String

    public init(store: any Store, provider: any CloudProvider, time: any TimeSource = SystemTime(), user: String) {
        self.store = store
        self.provider = provider
        self.time = time
        self.user = user
    }

    /// P7/P9: the result of every target; throws a `Refusal` (nothing recorded)
    /// when P1, P2 or P5 refuse the whole push.
    public func push(_ request: PushRequest) throws -> [PushRecord] {
        let now = time.now()
        return try store.write { db in
            guard let certificate = try db.certificate(request.certificate) else {
                throw Refusal("There is no certificate \(request.certificate).")
            }
            try PushRules.checkPushable(certificate, now: now)
            let targets = try PushRules.targets(of: request, knownRegions: Set(try db.regions().map(\.code)))
            var records: [PushRecord] = []
            for target in targets {
                var reason = PushRules.failure(
                    pushing: certificate, to: target,
                    enabled: try db.isEnabled(service: target.service, region: target.region),
                    store: try db.serviceStore(service: target.service, region: target.region))
                if reason == nil, let service = CloudService.named(target.service) {
                    do {
                        try provider.push(certificate, service: service, region: target.region, inventory: db)
                    } catch let failure as ProviderFailure {
                        reason = failure.cause
                    }
                }
                let record = PushRecord(at: now, user: user, certificateID: certificate.id, target: target,
                                        succeeded: reason == nil, reason: reason ?? "")
                try db.append(record)
                records.append(record)
            }
            let succeeded = records.filter(\.succeeded).count
            try db.append(ActivityEntry(at: now, user: user, action: "certificate.push", subject: certificate.id.description,
                                        detail: "\(succeeded) of \(records.count) targets: " + records.map(\.target.description).joined(separator: ", ")))
            return records
        }
    }

    /// The latest records for a certificate, newest first (the push page shows 10).
    public func records(for certificate: CertificateID, limit: Int = 10) throws -> [PushRecord] {
        try store.read { try $0.pushRecords(certificate: certificate, limit: limit) }
    }

    /// Binds a certificate in a service store to one of that service's resources
    /// (the "configure it on the service" step), through the provider.
    public func bind(_ certificateID: CertificateID, to resourceID: ResourceID) throws {
        let now = time.now()
        try store.write { db in
            guard let certificate = try db.certificate(certificateID) else { throw Refusal("There is no certificate \(certificateID).") }
            guard let resource = try db.resource(resourceID) else { throw Refusal("There is no resource \(resourceID).") }
            let stored = try db.serviceStore(service: resource.service, region: resource.region)
            guard stored.contains(where: { $0.fingerprint == certificate.fingerprint }) else {
                let place = resource.service.uppercased() + (resource.region.map { " in \($0)" } ?? "")
                throw Refusal("\(certificate.id) is not in \(place)'s certificate store yet: push it there first.")
            }
            do {
                try provider.bind(certificate.id, to: resource, inventory: db)
            } catch let failure as ProviderFailure {
                throw BindFailure(resource: resource.id, cause: failure.cause)
            }
            try db.append(ActivityEntry(at: now, user: user, action: "resource.bind", subject: resource.id.description,
                                        detail: "\(certificate.id) on \(resource.name)"))
        }
    }

    /// The service stores a certificate is in, and the resources it is bound to.
    public func usage(of certificate: CertificateID) throws -> (stores: [ServiceStoreEntry], resources: [CloudResource]) {
        try store.read { db in
            (try db.serviceStores(holding: certificate), try db.resources(ResourceFilter(certificateID: certificate)))
        }
    }
}

/// The provider would not bind: it ran, and failed (exit 1).
public struct BindFailure: CertpushError, Equatable {
    public let resource: ResourceID
    public let cause: String
    public init(resource: ResourceID, cause: String) {
        self.resource = resource
        self.cause = cause
    }
    public var sentence: String { "Binding to \(resource) failed: \(cause)." }
    public var outcome: ErrorOutcome { .failed }
}
