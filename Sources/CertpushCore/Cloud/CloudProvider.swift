/// What actually holds resources and applies certificates. The core decides
/// the rules; a provider only does what it is told, or fails with a cause.
///
/// A provider owns its own state, as a cloud does: certpush never calls it
/// inside a database transaction (SPEC R3). Each action is recorded as an
/// intent and committed, then the provider is called, then the result is
/// committed; after a crash, `certificate(on:)` and `holds(_:service:region:)`
/// are how the engine asks for the truth of an action left at intent.
///
/// - warning: a call may take long, fail half-way or never answer. Callers
///   hold no lock and no transaction while it runs.
public protocol CloudProvider: Sendable {
    var name: String { get }
    /// Puts the certificate into the service's certificate store at `region`;
    /// throws `ProviderFailure` with the cloud's cause when it says no (P3, P4, P6).
    func push(_ certificate: Certificate, service: CloudService, region: String?) throws
    /// Whether the service's store at `region` holds the certificate now.
    func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool
    /// Puts the certificate (or none) on the resource.
    func bind(_ certificate: CertificateID?, to resource: CloudResource) throws
    /// Puts back the certificate the resource had before (or none).
    func rollBack(_ resource: CloudResource, to previous: CertificateID?) throws
    /// The certificate on the resource now, as the provider sees it.
    func certificate(on resource: ResourceID) throws -> CertificateID?
    /// Refreshes what the provider holds ("Synchronize Cloud Resources"): the number of resources.
    func synchronize() throws -> Int

    /// Pushes into `account`'s service store at each region (nil for a
    /// global service) in as few calls as the cloud allows (SCM's batch
    /// push, H3): each target's error, nil where it worked. Throws what
    /// stops the whole push, such as keys the cloud does not accept (R5).
    func push(_ certificate: Certificate, service: CloudService, regions: [String?], account: String) throws -> [Error?]
    /// Whether `account`'s pairs of a task go to the cloud as one job (CAS, A4) rather than one call each.
    func deploysInJobs(account: String) -> Bool
    /// Deploys `account`'s pairs as one job: each pair's error, nil where it worked.
    func deploy(_ pairs: [(certificate: CertificateID, resource: CloudResource)], account: String) throws -> [Error?]
}

extension CloudProvider {
    public func rollBack(_ resource: CloudResource, to previous: CertificateID?) throws {
        try bind(previous, to: resource)
    }

    public func push(_ certificate: Certificate, service: CloudService, regions: [String?], account: String) throws -> [Error?] {
        regions.map { region in
            Result { try push(certificate, service: service, region: region) }.failure
        }
    }

    public func deploysInJobs(account: String) -> Bool { false }

    public func deploy(_ pairs: [(certificate: CertificateID, resource: CloudResource)], account: String) throws -> [Error?] {
        pairs.map { pair in Result { try bind(pair.certificate, to: pair.resource) }.failure }
    }
}

extension Result {
    /// The error, or nil for a success.
    public var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// A provider's refusal, with the cause a person reads ("listener in maintenance").
public struct ProviderFailure: Error, Equatable, Sendable {
    public let cause: String
    public init(_ cause: String) { self.cause = cause }
}
