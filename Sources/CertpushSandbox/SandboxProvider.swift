import CertpushCore
import Foundation

/// The training cloud. It keeps its service stores and resources in the
/// same SQLite file as certpush, but behind this interface like any cloud:
/// each call is its own short transaction, and the time it takes (`latency`)
/// passes outside any of them. It refuses what a real cloud refuses (P3, P4,
/// P6) and fails where the sandbox marks a fault.
public struct SandboxProvider: CloudProvider {
    public let store: any Store
    /// How long the sandbox takes to apply a certificate to a resource, as a
    /// real cloud would; 0 in scripts and tests.
    public let latency: Double

    public init(store: any Store, latencySeconds: Double = 0) {
        self.store = store
        latency = latencySeconds
    }

    public var name: String { "sandbox" }

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

    public func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool {
        try store.read { db in
            try db.serviceStore(service: service.code, region: region).contains { $0.fingerprint == certificate.fingerprint }
        }
    }

    public func bind(_ certificate: CertificateID?, to resource: CloudResource) throws {
        if latency > 0 { Thread.sleep(forTimeInterval: latency) }
        try store.write { db in
            guard let current = try db.resource(resource.id) else { throw ProviderFailure("the resource no longer exists") }
            if let fault = current.fault { throw ProviderFailure(fault) }
            try db.setCertificate(certificate, on: resource.id)
        }
    }

    public func certificate(on resource: ResourceID) throws -> CertificateID? {
        try store.read { try $0.resource(resource)?.certificateID }
    }

    /// The sandbox's inventory is its own truth: synchronising finds it as it is.
    public func synchronize() throws -> Int {
        try store.read { try $0.resourceCount() }
    }
}
