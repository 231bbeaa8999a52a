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
    /// The account it belongs to (SPEC 10): the sandbox's unless a provider says otherwise.
    public var account: String

    public init(id: ResourceID, service: String, region: String?, name: String, domain: String,
                certificateID: CertificateID?, fault: String? = nil, account: String = Account.sandboxName) {
        self.account = account
        self.id = id
        self.service = service
        self.region = region
        self.name = name
        self.domain = domain
        self.certificateID = certificateID
        self.fault = fault
    }

    /// S9: the domain of a site that answers any name (nginx `_` or no
    /// `server_name`, an apache host without ServerName).
    public static let anyName = "*"
    public var answersAnyName: Bool { domain == Self.anyName }
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
    /// "" for a global service's resources; nil for every region.
    public var region: String?
    public var certificateID: CertificateID?
    /// Case-insensitive text the name or the domain contains; empty for any.
    public var text: String
    /// Only this account's resources; nil for every account's.
    public var account: String?
    public init(service: String? = nil, region: String? = nil, certificateID: CertificateID? = nil, text: String = "", account: String? = nil) {
        self.account = account
        self.service = service
        self.region = region
        self.certificateID = certificateID
        self.text = text
    }
}

/// Where a resource sits in the order every list of resources shows:
/// service, then region, then id. Pages start from one (keyset paging), so a
/// page costs the same at the millionth resource as at the first.
public struct ResourcePosition: Sendable, Hashable {
    public var service: String
    public var region: String?
    public var id: ResourceID
    public init(service: String, region: String?, id: ResourceID) {
        self.service = service
        self.region = region
        self.id = id
    }
    public init(of resource: CloudResource) {
        self.init(service: resource.service, region: resource.region, id: resource.id)
    }
}

/// Where a page starts. Pages come back in list order whichever way they were read.
public enum PageAnchor<Position: Sendable & Hashable>: Sendable, Hashable {
    case first, last
    /// The rows after this one, or from it on (itself included when it is still there).
    case after(Position), from(Position)
    /// The rows just before this one.
    case before(Position)
}

/// How many resources a service has in a region, kept by the store as
/// resources come and go, so that counting never scans the inventory.
public struct ResourceTally: Sendable, Equatable {
    public var service: String
    public var region: String?
    public var count: Int
    public init(service: String, region: String?, count: Int) {
        self.service = service
        self.region = region
        self.count = count
    }
}

/// A resource as a cloud lists it (A2), before certpush gives it an id.
public struct RemoteResource: Sendable, Equatable {
    /// The cloud's id for it.
    public var remoteID: String
    public var service: String
    public var region: String?
    public var name: String
    public var domain: String
    /// SHA-256 of the certificate it holds, when it holds one the cloud could describe.
    public var certificateFingerprint: String?

    public init(remoteID: String, service: String, region: String?, name: String, domain: String, certificateFingerprint: String?) {
        self.remoteID = remoteID
        self.service = service
        self.region = region
        self.name = name
        self.domain = domain
        self.certificateFingerprint = certificateFingerprint
    }
}
