import Foundation

/// One attempted target, as kept for ever (P7).
/// H8: one certificate certpush pushed through an account: where the cloud
/// says it is in use, beside the targets certpush recorded.
public struct PushVerification: Sendable, Equatable {
    public var certificate: CertificateID
    public var account: String
    public var served: String
    public var expected: String
    public var ok: Bool
}

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
    /// T2: the host that process is on.
    public var runnerHost: String?
    /// The account whose service store it went to (R6).
    public var account: String
    /// H6: the name the cloud keeps the certificate under, where it is not certpush's.
    public var remoteName: String?

    public init(at: Date, user: String, certificateID: CertificateID, target: PushTarget, succeeded: Bool, reason: String,
                runner: Int32? = nil, account: String = Account.sandboxName) {
        self.account = account
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
    /// Who takes each account's pushes.
    public let drivers: Drivers
    public let time: any TimeSource
    public let user: String
    /// This process, recorded on targets in flight.
    public let processID: Int32
    /// This host (T2), recorded beside the process.
    public var host = TaskLease.localHost
    /// Whether the process that left a target in flight is still alive.
    public let isAlive: @Sendable (Int32) -> Bool
    /// The accounts a push may go to (H4): those whose driver takes pushes.
    public let accounts: [Account]
    /// A training workspace's exercise log (E3); nil in a live one.
    public var exercises: ExerciseLog?

    public init(store: any Store, drivers: Drivers, time: any TimeSource = SystemTime(), user: String,
                processID: Int32 = getpid(), isAlive: @escaping @Sendable (Int32) -> Bool = { _ in true },
                accounts: [Account] = [.sandbox]) {
        self.accounts = accounts.filter { drivers.takesPushes($0.name) }
        self.store = store
        self.drivers = drivers
        self.time = time
        self.user = user
        self.processID = processID
        self.isAlive = isAlive
    }

    /// H4: the account named, or the only one that takes pushes.
    public func account(_ name: String?) throws -> Account {
        if let name {
            guard let account = accounts.first(where: { $0.name == name }) else {
                throw Refusal("\(DisplayText.neutralized(name)) takes no pushes; " + namesTakingPushes)
            }
            return account
        }
        guard !accounts.isEmpty else {
            throw Refusal("No account here takes pushes: a live workspace pushes through a Huawei Cloud account ([accounts.NAME] with kind = \"huaweicloud\" in config.toml).")
        }
        guard accounts.count == 1, let only = accounts.first else {
            throw Refusal("Several accounts take pushes: name one with --account (" + accounts.map(\.name).joined(separator: ", ") + ").")
        }
        return only
    }

    private var namesTakingPushes: String {
        accounts.isEmpty ? "no account here does." : "those that do are " + accounts.map(\.name).joined(separator: ", ") + "."
    }

    /// P7/P9: the result of every target; throws a `Refusal` (nothing recorded)
    /// when P1, P2 or P5 refuse the whole push. P3, P4 and P6 are the
    /// provider's answers, as a cloud gives them. A service's targets go to
    /// the provider together (SCM's batch push), each recorded in flight
    /// first (R3). Keys the cloud refuses stop the push and take back the
    /// records of that call: nothing else changes (R5).
    public func push(_ request: PushRequest) throws -> [PushRecord] {
        let now = time.now()
        let account = try account(request.account)
        let pusher = try drivers.pusher(account.name)
        let known = Set(try pusher.regions().map(\.region.code))
        let material = try store.read { db in
            guard let certificate = try db.certificate(request.certificate) else {
                throw Refusal("There is no certificate \(request.certificate).")
            }
            try PushRules.checkPushable(certificate, now: now)
            return CertificateMaterial(certificate: certificate, privateKeyPEM: try db.privateKeyPEM(of: certificate.id))
        }
        let certificate = material.certificate
        let targets: [PushTarget]
        do {
            targets = try PushRules.targets(of: request, knownRegions: known)
        } catch {
            if error.sentence == PushRules.tooManyRegions { exercises.note(.regionCap) }
            throw error
        }
        var records: [PushRecord] = []
        var byService: [(service: String, targets: [PushTarget])] = []
        for target in targets {
            if let index = byService.firstIndex(where: { $0.service == target.service }) {
                byService[index].targets.append(target)
            } else {
                byService.append((target.service, [target]))
            }
        }
        for (code, group) in byService {
            var started: [PushRecord] = try store.write { db in
                try group.map { target in
                    var record = PushRecord(at: now, user: user, certificateID: certificate.id, target: target,
                                            succeeded: false, reason: "", runner: processID, account: account.name)
                    record.runnerHost = host
                    record.id = try db.append(record)
                    return record
                }
            }
            var reasons: [String?]
            if let service = CloudService.named(code) {
                let errors: [Error?]
                do {
                    errors = try pusher.push(material, service: service, regions: group.map(\.region))
                } catch {
                    try store.write { db in for record in started { try db.withdraw(record) } }
                    throw error
                }
                reasons = zip(group, errors).map { target, error in
                    guard let error else { return nil }
                    if let failure = error as? ProviderFailure { return failure.cause }
                    // Not the cloud's refusal (a time-out, a lost connection): ask whether it happened (R4).
                    let held = (try? pusher.holds(certificate, service: service, region: target.region)) == true
                    return held ? nil : (error as? CertpushError)?.sentence ?? "\(error)"
                }
            } else {
                reasons = group.map { _ in "\(code) is not a service" }
            }
            let remoteName = reasons.contains(nil) ? try? pusher.remoteName(of: certificate) : nil
            for index in started.indices {
                started[index].remoteName = reasons[index] == nil ? remoteName : nil
                started[index].succeeded = reasons[index] == nil
                started[index].reason = reasons[index] ?? ""
                started[index].runner = nil
                started[index].runnerHost = nil
            }
            try store.write { db in for record in started { try db.settle(record) } }
            records += started
        }
        try store.write { db in
            try db.append(ActivityEntry(at: now, user: user, action: "certificate.push", subject: certificate.id.description,
                                        detail: Self.pushDetail(account: account.name, records)))
        }
        return records
    }

    /// "hw: pushed to 8 of 11 targets: ELB in cn-north-4, ...; failed: WAF in af-south-1 (WAF is not enabled ...)":
    /// the failed ones apart, each with why, never counted among the pushed.
    static func pushDetail(account: String, _ records: [PushRecord]) -> String {
        let pushed = records.filter(\.succeeded), failed = records.filter { !$0.succeeded }
        var detail = "\(account): pushed to \(pushed.count) of \(Words.count(records.count, "target"))"
        if !pushed.isEmpty { detail += ": " + pushed.map(\.target.description).joined(separator: ", ") }
        if !failed.isEmpty { detail += "; failed: " + failed.map { "\($0.target) (\($0.reason))" }.joined(separator: ", ") }
        return detail
    }

    /// H8: for each certificate pushed through `account`, where the cloud
    /// says it is in use beside where certpush recorded pushing it. It is
    /// as recorded when the cloud knows the certificate and every place it
    /// is in use is a service and region certpush pushed it to.
    public func verifyPushes(account: String) throws -> [PushVerification] {
        let pusher = try drivers.pusher(account)
        let (pushed, certificates) = try store.read { db in
            let pushed = try db.pushedTargets(account: account)
            return (pushed, try pushed.keys.sorted().compactMap { try db.certificate($0) })
        }
        guard !certificates.isEmpty else { return [] }
        guard let inUse = try pusher.inUse(certificates) else {
            throw Refusal("\(DisplayText.neutralized(account))'s cloud has no call that says where a certificate is in use.")
        }
        return certificates.map { certificate in
            let targets = pushed[certificate.id] ?? []
            let recorded = targets.map(\.description).sorted().joined(separator: ", ")
            guard let places = inUse[certificate.id] else {
                return PushVerification(certificate: certificate.id, account: account, served: "not known to the cloud", expected: recorded, ok: false)
            }
            let ok = places.allSatisfy { targets.contains($0.target) }
            let served = places.isEmpty ? "in use nowhere" : places.map(\.description).joined(separator: "; ")
            return PushVerification(certificate: certificate.id, account: account, served: served, expected: recorded, ok: ok)
        }
    }

    /// P5 as the region picker meets it: the sentence to show for an 11th region.
    public func regionCapReached() -> String {
        exercises.note(.regionCap)
        return PushRules.tooManyRegions
    }

    /// Targets a dead process left in flight, settled by asking the provider
    /// whether its store holds the certificate (R3).
    @discardableResult
    public func recover() throws -> [PushRecord] {
        var settled: [PushRecord] = []
        for var record in try abandoned() {
            guard let service = CloudService.named(record.target.service),
                  let certificate = try store.read({ try $0.certificate(record.certificateID) }),
                  // A cloud that does not answer now is asked again on the next recovery.
                  case .success(let answer) = Result(catching: {
                      try drivers.pusher(record.account).holds(certificate, service: service, region: record.target.region)
                  }) else { continue }
            if let holds = answer {
                record.succeeded = holds
                record.reason = holds ? "" : "interrupted"
            } else {
                // A cloud with no call that says where a certificate was pushed (SCM): say so rather than guess.
                record.reason = "interrupted: the cloud cannot be asked whether it took the push; push again (it refuses a second push if it did)"
            }
            record.runner = nil
            record.runnerHost = nil
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
            let runnerHost = record.runnerHost ?? TaskLease.localHost
            guard runner != processID || runnerHost != host else { return false }
            return !TaskLease.mayStillRun(runner: runner, host: runnerHost, until: record.at.addingTimeInterval(DeploymentService.leaseDuration),
                                          now: now, localHost: host, isAlive: isAlive)
        }
    }

    /// Every region of the account, with the regional services enabled there
    /// (P5, P6). A cloud account's regions are those its config names (or the
    /// cloud's); the cloud says where a service is not enabled when it is pushed.
    public func regions(of account: Account = .sandbox) throws -> [RegionSummary] {
        try drivers.pusher(account.name).regions()
    }

    /// Whether a global service takes pushes in the account: the sandbox says; a cloud says when it is pushed (P6).
    public func enabled(_ service: CloudService, in account: Account) -> Bool {
        (try? drivers.pusher(account.name).enabled(service)) ?? false
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
            return Self.coverageWarning(certificate, resource)
        }
    }

    private static func coverageWarning(_ certificate: Certificate, _ resource: CloudResource) -> String? {
        guard !resource.domain.isEmpty, !resource.answersAnyName, !DomainMatch.covers(anyOf: certificate.domains, resource.domain) else { return nil }
        return "\(certificate.id) (\(DisplayText.neutralized(certificate.domains.prefix(3).joined(separator: ", ")))) does not cover \(DisplayText.neutralized(resource.domain)), the domain of \(resource.id) \(DisplayText.neutralized(resource.name)): clients will refuse the connection."
    }

    /// Binds, through the provider. A certificate that does not cover the
    /// resource's domain is refused (`UncoveredBind`) unless `anyway`: the
    /// person was told and chose it (the console's dialog, the CLI's --force).
    public func bind(_ certificateID: CertificateID, to resourceID: ResourceID, anyway: Bool = false) throws {
        let (resource, material): (CloudResource, CertificateMaterial) = try store.read { db in
            guard let certificate = try db.certificate(certificateID) else { throw Refusal("There is no certificate \(certificateID).") }
            guard let resource = try db.resource(resourceID) else { throw Refusal("There is no resource \(resourceID).") }
            let stored = try db.serviceStore(service: resource.service, region: resource.region)
            guard stored.contains(where: { $0.fingerprint == certificate.fingerprint }) else {
                let place = resource.service.uppercased() + (resource.region.map { " in \($0)" } ?? "")
                throw Refusal("\(certificate.id) is not in \(place)'s certificate store yet: push it there first.")
            }
            if !anyway, let warning = Self.coverageWarning(certificate, resource) { throw UncoveredBind(warning: warning) }
            return (resource, CertificateMaterial(certificate: certificate, privateKeyPEM: try db.privateKeyPEM(of: certificateID)))
        }
        do {
            try drivers.deployer(resource.account).bind(material, to: resource)
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

/// A bind refused because the certificate does not cover the resource's
/// domain: nothing was bound, and the person may choose to bind anyway.
public struct UncoveredBind: CertpushError, Equatable {
    public let warning: String
    public init(warning: String) { self.warning = warning }
    public var sentence: String { warning + " Nothing was bound." }
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
