import CertpushCore
import Foundation

/// An Alibaba Cloud account (SPEC 12): its resources come from
/// ListCloudResources, and a task's pairs on them run as one CAS deployment
/// job. A certificate is uploaded once per account (A3); the worker that
/// deployed each resource is kept for its roll back.
public struct CASProvider: CloudProvider {
    public let account: Account
    public let cas: AlibabaCAS
    public let store: any Store
    /// How often a job's workers are read, and how long they may take.
    public let pollInterval: TimeInterval
    public let jobTimeLimit: TimeInterval

    public init(account: Account, cas: AlibabaCAS, store: any Store, pollInterval: TimeInterval = 2, jobTimeLimit: TimeInterval = 600) {
        self.account = account
        self.cas = cas
        self.store = store
        self.pollInterval = pollInterval
        self.jobTimeLimit = jobTimeLimit
    }

    public var name: String { account.name }

    /// CAS's products, and the certpush service each is (SPEC 3).
    public static let products: [(product: String, service: String)] = [
        ("CDN", "cdn"), ("DCDN", "dcdn"), ("WAF", "waf"), ("SLB", "elb"), ("ALB", "elb"), ("NLB", "elb"), ("GA", "ga"),
        ("DDoS", "ddos"), ("OSS", "oss"), ("APIGateway", "apig"), ("FC", "fc"), ("MSE", "mse"), ("SAE", "sae"),
    ]

    private func reference(_ kind: ProviderReference.Kind, _ subject: String) -> ProviderReference {
        ProviderReference(kind, account: account.name, subject: subject)
    }

    // MARK: Synchronize (A2)

    public func synchronize() throws -> Int {
        var listed: [(resource: AlibabaCAS.Resource, service: String)] = []
        for (product, service) in Self.products {
            listed += try cas.resources(product: product).map { ($0, service) }
        }
        for id in Set(listed.compactMap(\.resource.certificateID)).sorted()
        where try store.read({ try $0.reference(reference(.casCertpushID, id)) }) == nil {
            try adopt(id)
        }
        let found = try listed.map { try remote($0.resource, service: $0.service) }
        return try store.write { try $0.replaceCloudResources(account: account.name, with: found) }
    }

    /// A certificate a resource holds that certpush did not put there: read
    /// from CAS once and kept without its key, so that D6 and D7 see what a
    /// deployment would replace. One CAS cannot describe stays unknown.
    private func adopt(_ casID: String) throws {
        let detail: (name: String, certificate: String)
        do { detail = try cas.certificateDetail(casID) } catch is CloudRefusal { return }
        let request = ImportRequest(certificate: InputFile(name: "\(detail.name).pem", bytes: Array(detail.certificate.utf8)), name: detail.name)
        guard let draft = try? CertificateImporter.draft(request, now: Date()) else { return }
        try store.write { db in
            let id = try db.certificate(fingerprint: draft.certificate.fingerprint)?.id ?? db.insert(draft)
            try db.setReference(String(id.rawValue), for: reference(.casCertpushID, casID))
            try db.setReference(casID, for: reference(.casCertificate, id.description))
            try db.append(ActivityEntry(at: Date(), user: "certpush", action: "certificate.import", subject: id.description,
                                        detail: "\(DisplayText.neutralized(detail.name)), held by a resource of \(account.name) in CAS"))
        }
    }

    private func remote(_ resource: AlibabaCAS.Resource, service: String) throws -> RemoteResource {
        let regional = CloudService.named(service)?.regional ?? true
        let held = try resource.certificateID.flatMap { id in try store.read { try $0.reference(reference(.casCertpushID, id)) } }
        return RemoteResource(remoteID: resource.id, service: service, region: regional ? (resource.region ?? "") : nil,
                              name: resource.instance + (resource.port.map { ":\($0)" } ?? ""), domain: resource.domain,
                              certificateID: held.flatMap(Int64.init).map(CertificateID.init))
    }

    // MARK: Deploy (A3, A4)

    /// CAS's id for the certificate, uploading it the first time (A3).
    func uploaded(_ id: CertificateID) throws -> String {
        if let known = try store.read({ try $0.reference(reference(.casCertificate, id.description)) }) { return known }
        let (certificate, privateKey) = try store.read { db in (try db.certificate(id), try db.privateKeyPEM(of: id)) }
        guard let certificate, let pem = certificate.certificatePEM else { throw ProviderFailure("\(id) no longer exists") }
        guard let privateKey else { throw ProviderFailure("\(id) has no private key held here, and CAS needs one") }
        let casID = try cas.upload(name: "\(certificate.name)-\(certificate.fingerprint.prefix(8))",
                                   certificate: ([pem] + certificate.chainPEM).joined(separator: "\n"), privateKey: privateKey)
        try store.write { db in
            try db.setReference(casID, for: reference(.casCertificate, id.description))
            try db.setReference(String(id.rawValue), for: reference(.casCertpushID, casID))
        }
        return casID
    }

    public func deploysInJobs(account _: String) -> Bool { true }

    /// A4: one job for every pair, made in `editing`, set to `pending`, its
    /// workers read until each is final.
    public func deploy(_ pairs: [(certificate: CertificateID, resource: CloudResource)], account _: String) throws -> [Error?] {
        var errors = [Error?](repeating: nil, count: pairs.count)
        var certificates: [CertificateID: String] = [:]
        var remote: [Int: String] = [:]
        for (index, pair) in pairs.enumerated() {
            do {
                if certificates[pair.certificate] == nil { certificates[pair.certificate] = try uploaded(pair.certificate) }
                guard let id = try store.read({ try $0.remoteID(of: pair.resource.id) }) else {
                    throw ProviderFailure("\(pair.resource.id) is not known to CAS; synchronize \(account.name) again")
                }
                remote[index] = id
            } catch let refusal as CloudRefusal {
                errors[index] = ProviderFailure(refusal.cause)
            } catch let failure as ProviderFailure {
                errors[index] = failure
            }
        }
        let going = remote.keys.sorted()
        guard !going.isEmpty else { return errors }
        let job: String
        do {
            // CAS tells a job's contacts how it ended; it takes the account's first.
            guard let contact = try cas.contacts().first else {
                throw ProviderFailure("CAS needs a contact for a deployment job: add one under Certificate Management Service > Contacts")
            }
            job = try cas.createJob(name: "certpush \(ISOTime.string(Date()))",
                                    certificates: Array(Set(going.compactMap { certificates[pairs[$0].certificate] })).sorted(),
                                    resources: going.compactMap { remote[$0] }, contacts: [contact])
            try cas.setJobStatus(job, "pending")
            // Kept before the wait: after a crash, recovery asks this job for the truth (R3).
            try store.write { db in
                for index in going { try db.setReference(job, for: reference(.casJob, pairs[index].resource.id.description)) }
            }
        } catch let refusal as CloudRefusal {
            for index in going { errors[index] = ProviderFailure(refusal.cause) }
            return errors
        } catch let failure as ProviderFailure {
            for index in going { errors[index] = failure }
            return errors
        }
        let workers = try awaitWorkers(of: job, final: ["success", "error"])
        for index in going {
            guard let worker = workers.first(where: { $0.resourceID == remote[index] }) else {
                errors[index] = ProviderFailure("CAS made no worker for \(pairs[index].resource.id)")
                continue
            }
            let resource = pairs[index].resource.id.description
            try store.write { db in
                try db.setReference(job, for: reference(.casWorkerJob, resource))
                try db.setReference(worker.id, for: reference(.casWorker, resource))
            }
            let expected = certificates[pairs[index].certificate]
            switch worker.status {
            case "success" where worker.certificateID != nil && worker.certificateID != expected:
                // CAS matches a job's certificates to resources itself; certpush records only what it asked for.
                errors[index] = ProviderFailure("CAS deployed its certificate \(worker.certificateID ?? "") there, not \(pairs[index].certificate) (CAS \(expected ?? "?"))")
            case "success": errors[index] = nil
            case "error": errors[index] = ProviderFailure(worker.cause ?? "CAS reported that deploying to it failed")
            default: errors[index] = CloudUnreachable(sentence: "CAS had not finished deploying it after \(Int(jobTimeLimit)) s")
            }
        }
        return errors
    }

    /// The job's workers once every one is in a final status, or at the time limit as they are.
    func awaitWorkers(of job: String, final: Set<String>, only worker: String? = nil) throws -> [AlibabaCAS.Worker] {
        let deadline = Date().addingTimeInterval(jobTimeLimit)
        while true {
            let workers = try cas.workers(job: job)
            let watched = workers.filter { worker == nil || $0.id == worker }
            if watched.allSatisfy({ final.contains($0.status) }) || Date() >= deadline { return workers }
            Thread.sleep(forTimeInterval: pollInterval)
        }
    }

    public func bind(_ certificate: CertificateID?, to resource: CloudResource) throws {
        guard let certificate else { throw ProviderFailure("CAS does not take a certificate off a resource; roll back instead") }
        if let error = try deploy([(certificate, resource)], account: account.name).first, let error { throw error }
    }

    /// D12 through CAS: the worker that deployed it set to `rollback`, read until `rollback_success` or `rollback_error`.
    public func rollBack(_ resource: CloudResource, to previous: CertificateID?) throws {
        let (job, workerID) = try store.read { db in
            (try db.reference(reference(.casWorkerJob, resource.id.description)), try db.reference(reference(.casWorker, resource.id.description)))
        }
        guard let job, let workerID else {
            throw ProviderFailure("CAS has no deployment of \(resource.id) from certpush to roll back")
        }
        do {
            try cas.setWorkerStatus(job: job, worker: workerID, "rollback")
        } catch let refusal as CloudRefusal {
            throw ProviderFailure(refusal.cause)
        }
        let worker = try awaitWorkers(of: job, final: ["rollback_success", "rollback_error"], only: workerID).first { $0.id == workerID }
        switch worker?.status {
        case "rollback_success": return
        case "rollback_error": throw ProviderFailure(worker?.cause ?? "CAS could not roll it back")
        default: throw CloudUnreachable(sentence: "CAS had not finished rolling it back after \(Int(jobTimeLimit)) s")
        }
    }

    /// What CAS lists on the resource now, as a certpush certificate where it
    /// knows it. A job certpush started on it is waited for first: a worker
    /// still processing is not yet the truth (R3).
    public func certificate(on resource: ResourceID) throws -> CertificateID? {
        guard let found = try store.read({ try $0.resource(resource) }), let id = try store.read({ try $0.remoteID(of: resource) }) else { return nil }
        if let job = try store.read({ try $0.reference(reference(.casJob, resource.description)) }) {
            _ = try awaitWorkers(of: job, final: ["success", "error", "rollback_success", "rollback_error"])
        }
        for (product, service) in Self.products where service == found.service {
            if let listed = try cas.resources(product: product).first(where: { $0.id == id }) {
                return try remote(listed, service: service).certificateID
            }
        }
        return nil
    }

    public func push(_ certificate: Certificate, service: CloudService, region: String?) throws {
        throw ProviderFailure("\(account.name) is an Alibaba Cloud account: it takes deployment tasks, not pushes")
    }

    public func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool { false }
}
