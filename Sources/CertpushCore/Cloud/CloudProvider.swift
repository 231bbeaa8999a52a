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
}

extension CloudProvider {
    public func rollBack(_ resource: CloudResource, to previous: CertificateID?) throws {
        try bind(previous, to: resource)
    }
}

/// A provider's refusal, with the cause a person reads ("listener in maintenance").
public struct ProviderFailure: Error, Equatable, Sendable {
    public let cause: String
    public init(_ cause: String) { self.cause = cause }
}
