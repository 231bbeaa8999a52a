import CertpushCore
import Foundation

/// The training cloud: it keeps its service stores and resources in the
/// same database as certpush, and fails where the sandbox marks a fault.
public struct SandboxProvider: CloudProvider {
    /// How long the sandbox takes to apply a certificate to a resource, as a
    /// real cloud would; 0 in scripts and tests.
    public let latency: Double

    public init(latencySeconds: Double = 0) { latency = latencySeconds }

    public var name: String { "sandbox" }

    public func push(_ certificate: Certificate, service: CloudService, region: String?, inventory: any StoreWriter) throws {
        try inventory.addToServiceStore(ServiceStoreEntry(
            service: service.code, region: region, name: certificate.name, fingerprint: certificate.fingerprint,
            certificateID: certificate.id, origin: .pushed))
    }

    public func bind(_ certificate: CertificateID?, to resource: CloudResource, inventory: any StoreWriter) throws {
        if latency > 0 { Thread.sleep(forTimeInterval: latency) }
        if let fault = resource.fault { throw ProviderFailure(fault) }
        try inventory.setCertificate(certificate, on: resource.id)
    }

    public func rollBack(_ resource: CloudResource, to previous: CertificateID?, inventory: any StoreWriter) throws {
        try bind(previous, to: resource, inventory: inventory)
    }

    /// The sandbox's inventory is its own truth: synchronising finds it as it is.
    public func synchronize(inventory: any StoreWriter) throws -> Int {
        try inventory.resources(ResourceFilter()).count
    }
}
