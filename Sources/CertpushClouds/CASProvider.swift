import CertpushCore
import Foundation

extension ProviderReference.Kind {
    /// CAS's id of a certificate, by its fingerprint (A3).
    public static let casCertificate = Self(rawValue: "cas.certificate")
    /// The fingerprint of a certificate, by CAS's id.
    public static let casFingerprint = Self(rawValue: "cas.fingerprint")
    /// The CAS job last made for a resource (A4, R3).
    public static let casJob = Self(rawValue: "cas.job")
    /// The CAS worker that deployed a resource, and its job: what a roll back acts on (A6).
    public static let casWorker = Self(rawValue: "cas.worker")
    public static let casWorkerJob = Self(rawValue: "cas.worker-job")
}

/// The driver of an Alibaba Cloud account (SPEC 12): its resources come from
/// ListCloudResources, and a task's pairs on them run as one CAS deployment
/// job. A certificate is uploaded once per account (A3); the worker that
/// deployed each resource is kept for its roll back.
public struct CASProvider: Deployer, Inventory {
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

    public var actions: AccountActions { AccountActions(deployer: self, inventory: self) }

    /// CAS's products, and the certpush service each is (SPEC 3).
    public static let products: [(product: String, service: String)] = [
        ("CDN", "cdn"), ("DCDN", "dcdn"), ("WAF", "waf"), ("SLB", "elb"), ("ALB", "elb"), ("NLB", "elb"), ("GA", "ga"),
        ("DDOS", "ddos"), ("OSS", "oss"), ("APIGateway", "apig"), ("FC", "fc"), ("MSE", "mse"), ("SAE", "sae"),
    ]

    private func reference(_ kind: ProviderReference.Kind, _ subject: String) -> ProviderReference {
        ProviderReference(kind, account: account.name, subject: subject)
    }

    // MARK: Inventory (A2)

    /// Every product's resources, each with the fingerprint of the
    /// certificate it holds; a certificate CAS lists that certpush has not
    /// seen is read from CAS once, for the service to keep without its key.
    /// One CAS cannot describe stays unknown.
    public func observe() throws -> Observation {
        var listed: [(resource: AlibabaCAS.Resource, service: String)] = []
        for (product, service) in Self.products {
            listed += try cas.resources(product: product).map { ($0, service) }
        }
        var certificates: [ObservedCertificate] = []
        for id in Set(listed.compactMap(\.resource.certificateID)).sorted()
        where try store.read({ try $0.reference(reference(.casFingerprint, id)) }) == nil {
            let detail: (name: String, certificate: String)
            do { detail = try cas.certificateDetail(id) } catch is CloudRefusal { continue }
            guard let fingerprint = Fingerprint.ofFirstCertificate(inPEM: detail.certificate) else { continue }
            try store.write { db in
                try db.setReference(fingerprint, for: reference(.casFingerprint, id))
                try db.setReference(id, for: reference(.casCertificate, fingerprint))
            }
            certificates.append(ObservedCertificate(name: detail.name, pem: detail.certificate, seenAt: "a resource of \(account.name) in CAS"))
        }
        return Observation([.resources(try listed.map { try remote($0.resource, service: $0.service) })], certificates: certificates)
    }

    private func remote(_ resource: AlibabaCAS.Resource, service: String) throws -> RemoteResource {
        let regional = CloudService.named(service)?.regional ?? true
        let held = try resource.certificateID.flatMap { id in try store.read { try $0.reference(reference(.casFingerprint, id)) } }
        return RemoteResource(remoteID: resource.id, service: service, region: regional ? (resource.region ?? "") : nil,
                              name: resource.instance + (resource.port.map { ":\($0)" } ?? ""), domain: resource.domain,
                              certificateFingerprint: held)
    }

    // MARK: Deploy (A3, A4)

    /// CAS's id for the certificate, uploading it the first time (A3).
    func uploaded(_ material: CertificateMaterial) throws -> String {
        let certificate = material.certificate
        if let known = try store.read({ try $0.reference(reference(.casCertificate, certificate.fingerprint)) }) { return known }
        guard let chain = material.fullChainPEM else { throw ProviderFailure("\(certificate.id) has no certificate to upload") }
        // A5: 63 characters at most, the fingerprint's start kept, so two certificates of one name differ.
        let name = "\(certificate.name.prefix(AlibabaCAS.nameLimit - 9))-\(certificate.fingerprint.prefix(8))"
        let casID = try cas.upload(name: name, certificate: chain,
                                   privateKey: try material.key(for: "CAS"))
        try store.write { db in
            try db.setReference(casID, for: reference(.casCertificate, certificate.fingerprint))
            try db.setReference(certificate.fingerprint, for: reference(.casFingerprint, casID))
        }
        return casID
    }

    public var deploysInJobs: Bool { true }

    /// A4: one job for every pair, made in `editing`, set to `pending`, its
    /// workers read until each is final.
    public func deploy(_ pairs: [(material: CertificateMaterial, resource: CloudResource)]) throws -> [Error?] {
        var errors = [Error?](repeating: nil, count: pairs.count)
        var certificates: [String: String] = [:]
        var remote: [Int: String] = [:]
        for (index, pair) in pairs.enumerated() {
            let fingerprint = pair.material.certificate.fingerprint
            do {
                if certificates[fingerprint] == nil { certificates[fingerprint] = try uploaded(pair.material) }
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
                                    certificates: Array(Set(going.compactMap { certificates[pairs[$0].material.certificate.fingerprint] })).sorted(),
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
            let expected = certificates[pairs[index].material.certificate.fingerprint]
            switch worker.status {
            case "success" where worker.certificateID != nil && worker.certificateID != expected:
                // CAS matches a job's certificates to resources itself; certpush records only what it asked for.
                errors[index] = ProviderFailure("CAS deployed its certificate \(worker.certificateID ?? "") there, not \(pairs[index].material.certificate.id) (CAS \(expected ?? "?"))")
            case "success": errors[index] = nil
            case "error": errors[index] = ProviderFailure(worker.failure(job: job, "deploying to it"))
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

    public func bind(_ material: CertificateMaterial, to resource: CloudResource) throws {
        if let error = try deploy([(material, resource)]).first, let error { throw error }
    }

    /// D12 through CAS (A6): a roll back task for the worker that deployed
    /// it, read until `rollback_success` or `rollback_error`.
    public func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws {
        let (job, workerID) = try store.read { db in
            (try db.reference(reference(.casWorkerJob, resource.id.description)), try db.reference(reference(.casWorker, resource.id.description)))
        }
        guard let job, let workerID else {
            throw ProviderFailure("CAS has no deployment of \(resource.id) from certpush to roll back")
        }
        do {
            try cas.createRollbackTask(job: job, worker: workerID)
        } catch let refusal as CloudRefusal {
            throw ProviderFailure(refusal.cause)
        }
        let worker = try awaitWorkers(of: job, final: ["rollback_success", "rollback_error"], only: workerID).first { $0.id == workerID }
        switch worker?.status {
        case "rollback_success": return
        case "rollback_error": throw ProviderFailure(worker.map { $0.failure(job: job, "rolling it back") } ?? "CAS could not roll it back")
        default: throw CloudUnreachable(sentence: "CAS had not finished rolling it back after \(Int(jobTimeLimit)) s")
        }
    }

    /// What CAS lists on the resource now, by fingerprint where it is known.
    /// A job certpush started on it is waited for first: a worker still
    /// processing is not yet the truth (R3).
    public func served(on resource: CloudResource) throws -> String? {
        guard let id = try store.read({ try $0.remoteID(of: resource.id) }) else { return nil }
        if let job = try store.read({ try $0.reference(reference(.casJob, resource.id.description)) }) {
            _ = try awaitWorkers(of: job, final: ["success", "error", "rollback_success", "rollback_error"])
        }
        for (product, service) in Self.products where service == resource.service {
            if let listed = try cas.resources(product: product).first(where: { $0.id == id }) {
                return try remote(listed, service: service).certificateFingerprint
            }
        }
        return nil
    }
}
