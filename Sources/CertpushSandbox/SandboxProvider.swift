import CertpushCore
import Foundation

/// The training cloud. It keeps its service stores and resources in the
/// same SQLite file as certpush, but behind the drivers' capabilities like
/// any cloud: each call is its own short transaction, and the time it takes
/// (`latency`) passes outside any of them. It refuses what a real cloud
/// refuses (P3, P4, P6) and fails where the sandbox marks a fault.
public struct SandboxProvider: Pusher, Deployer, Inventory {
    public let store: any Store
    /// How long the sandbox takes to apply a certificate to a resource, as a
    /// real cloud would; 0 in scripts and tests.
    public let latency: Double

    public init(store: any Store, latencySeconds: Double = 0) {
        self.store = store
        latency = latencySeconds
    }

    /// Everything the sandbox does, as one account's actions.
    public var actions: AccountActions { AccountActions(pusher: self, deployer: self, inventory: self) }

    /// A training workspace's drivers: the sandbox's, and nothing else (W1).
    public var drivers: Drivers { .only(actions) }

    // MARK: Pusher

    public func push(_ material: CertificateMaterial, service: CloudService, regions: [String?]) throws -> [Error?] {
        regions.map { region in Result { try push(material.certificate, service: service, region: region) }.failure }
    }

    /// One target: P3, P4 and P6 as a cloud answers them, else the certificate joins the store.
    public func push(_ certificate: Certificate, service: CloudService, region: String?) throws {
        try store.write { db in
            let target = PushTarget(service: service.code, region: region)
            if let reason = PushRules.failure(
                pushing: certificate, to: target, enabled: try db.isEnabled(service: service.code, region: region),
                store: try db.serviceStore(service: service.code, region: region)) {
                throw ProviderFailure(reason)
            }
            try db.addToServiceStore(ServiceStoreEntry(
                service: service.code, region: region, name: certificate.name, fingerprint: certificate.fingerprint,
                certificateID: certificate.id, origin: .pushed))
        }
    }

    public func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool? {
        try store.read { db in
            try db.serviceStore(service: service.code, region: region).contains { $0.fingerprint == certificate.fingerprint }
        }
    }

    public func regions() throws -> [RegionSummary] {
        try store.read { db in
            let regional = CloudService.all.filter(\.regional)
            return try db.regions().map { region in
                RegionSummary(region: region, services: try regional.filter { try db.isEnabled(service: $0.code, region: region.code) }.map(\.code))
            }
        }
    }

    public func enabled(_ service: CloudService) throws -> Bool {
        try store.read { try $0.isEnabled(service: service.code, region: nil) }
    }

    // MARK: Deployer

    public func bind(_ material: CertificateMaterial, to resource: CloudResource) throws {
        try apply(material.certificate.id, to: resource)
    }

    public func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws {
        try apply(previous?.certificate.id, to: resource)
    }

    private func apply(_ certificate: CertificateID?, to resource: CloudResource) throws {
        if latency > 0 { Thread.sleep(forTimeInterval: latency) }
        try store.write { db in
            guard let current = try db.resource(resource.id) else { throw ProviderFailure("the resource no longer exists") }
            if let fault = current.fault { throw ProviderFailure(fault) }
            try db.setCertificate(certificate, on: resource.id)
        }
    }

    public func served(on resource: CloudResource) throws -> String? {
        try store.read { db in try db.resource(resource.id)?.certificateID.flatMap { try db.certificate($0)?.fingerprint } }
    }

    // MARK: Inventory

    /// The sandbox's inventory is its own truth: synchronizing finds it as it
    /// is, counting its own resources only (a database from before workspaces
    /// opens as training with another account's resources still in it).
    public func observe() throws -> Observation {
        Observation([.kept(count: try store.read { try $0.resourceCountsByAccount()[Account.sandboxName] ?? 0 })])
    }
}
