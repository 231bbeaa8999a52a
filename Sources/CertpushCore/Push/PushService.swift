import Foundation

/// One attempted target, as kept for ever (P7).
public struct PushRecord: Sendable, Equatable {
    /// Assigned by the store; 0 before.
    public var id: Int64 = 0
    public var at: Date
    public var user: String
    public var certificateID: CertificateID
    public var target: PushTarget
    public var succeeded: Bool
    /// Why it failed; empty when it succeeded.
    public var reason: String
    /// The process that is pushing it, while the provider has not answered (R3); nil once settled.
    public var runner: Int32?

    public init(at: Date, user: String, certificateID: CertificateID, target: PushTarget, succeeded: Bool, reason: String,
                runner: Int32? = nil) {
        self.runner = runner
        self.at = at
        self.user = user
        self.certificateID = certificateID
        self.target = target
        self.succeeded = succeeded
        self.reason = reason
    }
}

/// Pushes certificates into service stores (SPEC 4): refusals before anything
/// runs, then each target on its own. Each target is recorded in flight and
/// committed, pushed with no transaction open, and its result committed (R3).
public struct PushService: Sendable {
    public let store: any Store
    public let provider: any CloudProvider
    public let time: any TimeSource
    public let user: String
    /// This process, recorded on targets in flight.
    public let processID: Int32
    /// Whether the process that left a target in flight is still alive.
    public let isAlive: @Sendable (Int32) -> Bool

    public init(store: any Store, provider: any CloudProvider, time: any TimeSource = SystemTime(), user: String,
                processID: Int32 = getpid(), isAlive: @escaping @Sendable (Int32) -> Bool = { _ in true }) {
        self.store = store
        self.provider = provider
        self.time = time
        self.user = user
        self.processID = processID
        self.isAlive = isAlive
    }

    /// P7/P9: the result of every target; throws a `Refusal` (nothing recorded)
    /// when P1, P2 or P5 refuse the whole push. P3, P4 and P6 are the
    /// provider's answers, as a cloud gives them.
    public func push(_ request: PushRequest) throws -> [PushRecord] {
        let now = time.now()
        let (certificate, targets) = try store.read { db in
            guard let certificate = try db.certificate(request.certificate) else {
                throw Refusal("There is no certificate \(request.certificate).")
            }
            try PushRules.checkPushable(certificate, now: now)
            return (certificate, try PushRules.targets(of: request, knownRegions: Set(try db.regions().map(\.code))))
        }
        var records: [PushRecord] = []
        for target in targets {
            var record = PushRecord(at: now, user: user, certificateID: certificate.id, target: target,
                                    succeeded: false, reason: "", runner: processID)
            record.id = try store.write { try $0.append(record) }
            var reason: String? = "\(target.service) is not a service"
            if let service = CloudService.named(target.service) {
                do {
                    try provider.push(certificate, service: service, region: target.region)
                    reason = nil
                } catch let failure as ProviderFailure {
                    reason = failure.cause
                } catch {
                    // Not the cloud's refusal (a time-out, a lost connection): ask whether it happened (R4).
                    reason = (try? provider.holds(certificate, service: service, region: target.region)) == true
                        ? nil : (error as? CertpushError)?.sentence ?? "\(error)"
                }
            }
            record.succeeded = reason == nil
            record.reason = reason ?? ""
            record.runner = nil
            try store.write { try $0.settle(record) }
            records.append(record)
        }
        let succeeded = records.filter(\.succeeded).count
        try store.write { db in
            try db.append(ActivityEntry(at: now, user: user, action: "certificate.push", subject: certificate.id.description,
                                        detail: "\(succeeded) of \(records.count) targets: " + records.map(\.target.description).joined(separator: ", ")))
        }
        return records
    }

    /// Targets a dead process left in flight, settled by asking the provider
    /// whether its store holds the certificate (R3).
    @discardableResult
    public func recover() throws -> [PushRecord] {
        var settled: [PushRecord] = []
        for var record in try abandoned() {
            guard let service = CloudService.named(record.target.service),
                  let certificate = try store.read({ try $0.certificate(record.certificateID) }),
                  let holds = try? provider.holds(certificate, service: service, region: record.target.region) else { continue }
            record.succeeded = holds
            record.reason = holds ? "" : "interrupted"
            record.runner = nil
            try store.write { try $0.settle(record) }
            settled.append(record)
        }
        return settled
    }

    /// Whether a dead process left targets in flight: a read, cheap enough for every tick.
    public func hasWork() throws -> Bool { try !abandoned().isEmpty }

    private func abandoned() throws -> [PushRecord] {
        let now = time.now()
        return try store.read { try $0.pushesInFlight() }.filter { record in
            guard let runner = record.runner else { return true }
            return runner != processID && (!isAlive(runner) || now.timeIntervalSince(record.at) > DeploymentService.leaseDuration)
        }
    }

    /// Every region of the account, with the regional services enabled there (P5, P6).
    public func regions() throws -> [RegionSummary] {
        try store.read { db in
            let regional = CloudService.all.filter(\.regional)
            return try db.regions().map { region in
                RegionSummary(region: region, services: try regional.filter { try db.isEnabled(service: $0.code, region: region.code) }.map(\.code))
            }
        }
    }

    /// The latest records for a certificate, newest first (the push page shows 10).
    public func records(for certificate: CertificateID, limit: Int = 10) throws -> [PushRecord] {
        try store.read { try $0.pushRecords(certificate: certificate, limit: limit) }
    }

    /// Binds a certificate in a service store to one of that service's resources
    /// (the "configure it on the service" step), through the provider.
    /// What to warn of before binding: the certificate does not cover the
    /// resource's domain, so clients will refuse it there. Nil when it does.
    public func bindWarning(_ certificateID: CertificateID, to resourceID: ResourceID) throws -> String? {
        try store.read { db in
            guard let certificate = try db.certificate(certificateID), let resource = try db.resource(resourceID) else { return nil }
            guard !resource.domain.isEmpty, !DomainMatch.covers(anyOf: certificate.domains, resource.domain) else { return nil }
            return "\(certificate.id) (\(DisplayText.neutralized(certificate.domains.prefix(3).joined(separator: ", ")))) does not cover \(DisplayText.neutralized(resource.domain)), the domain of \(resource.id) \(DisplayText.neutralized(resource.name)): clients will refuse the connection."
        }
    }

    public func bind(_ certificateID: CertificateID, to resourceID: ResourceID) throws {
        let resource: CloudResource = try store.read { db in
            guard let certificate = try db.certificate(certificateID) else { throw Refusal("There is no certificate \(certificateID).") }
            guard let resource = try db.resource(resourceID) else { throw Refusal("There is no resource \(resourceID).") }
            let stored = try db.serviceStore(service: resource.service, region: resource.region)
            guard stored.contains(where: { $0.fingerprint == certificate.fingerprint }) else {
                let place = resource.service.uppercased() + (resource.region.map { " in \($0)" } ?? "")
                throw Refusal("\(certificate.id) is not in \(place)'s certificate store yet: push it there first.")
            }
            return resource
        }
        do {
            try provider.bind(certificateID, to: resource)
        } catch let failure as ProviderFailure {
            throw BindFailure(resource: resource.id, cause: failure.cause)
        }
        try store.write { db in
            try db.setCertificate(certificateID, on: resource.id)
            try db.append(ActivityEntry(at: time.now(), user: user, action: "resource.bind", subject: resource.id.description,
                                        detail: "\(certificateID) on \(resource.name)"))
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

/// A region and the regional services enabled ("purchased") there.
public struct RegionSummary: Sendable, Equatable {
    public var region: Region
    public var services: [String]
    public init(region: Region, services: [String]) {
        self.region = region
        self.services = services
    }
}
