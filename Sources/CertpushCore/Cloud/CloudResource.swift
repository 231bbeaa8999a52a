import Foundation

/// Something on a cloud that serves a domain with a certificate: an ELB
/// listener, a CDN domain, a WAF domain... (SPEC 3).
public struct CloudResource: Sendable, Equatable {
    public var id: ResourceID
    public var service: String
    /// nil for a global service.
    public var region: String?
    public var name: String
    public var domain: String
    public var certificateID: CertificateID?
    /// Why the provider fails on it, when the sandbox marks it faulty.
    public var fault: String?

    public init(id: ResourceID, service: String, region: String?, name: String, domain: String,
                certificateID: CertificateID?, fault: String? = nil) {
        self.id = id
        self.service = service
        self.region = region
        self.name = name
        self.domain = domain
        self.certificateID = certificateID
        self.fault = fault
    }
}

/// A certificate in a service's own certificate store.
public struct ServiceStoreEntry: Sendable, Equatable {
    public enum Origin: String, Sendable { case pushed, uploaded }
    public var service: String
    public var region: String?
    public var name: String
    public var fingerprint: String
    /// The certpush certificate it came from, when it was pushed from here.
    public var certificateID: CertificateID?
    public var origin: Origin

    public init(service: String, region: String?, name: String, fingerprint: String, certificateID: CertificateID?, origin: Origin) {
        self.service = service
        self.region = region
        self.name = name
        self.fingerprint = fingerprint
        self.certificateID = certificateID
        self.origin = origin
    }
}

public struct ResourceFilter: Sendable, Equatable {
    public var service: String?
    public var region: String?
    public var certificateID: CertificateID?
    public init(service: String? = nil, region: String? = nil, certificateID: CertificateID? = nil) {
        self.service = service
        self.region = region
        self.certificateID = certificateID
    }
}
