/// What actually holds resources and applies certificates. The core decides
/// the rules; a provider only does what it is told, or fails with a cause.
/// It works on the inventory inside the caller's transaction, so that what
/// the provider did and what certpush records of it commit together.
public protocol CloudProvider: Sendable {
    var name: String { get }
    /// Puts the certificate into the service's certificate store at `region`;
    /// throws `ProviderFailure` with the cause when the cloud says no.
    func push(_ certificate: Certificate, service: CloudService, region: String?, inventory: any StoreWriter) throws
    /// Puts the certificate (or none) on the resource.
    func bind(_ certificate: CertificateID?, to resource: CloudResource, inventory: any StoreWriter) throws
    /// Puts back the certificate the resource had before (or none).
    func rollBack(_ resource: CloudResource, to previous: CertificateID?, inventory: any StoreWriter) throws
    /// The resources the provider holds now, for "Synchronize Cloud Resources".
    func synchronize(inventory: any StoreWriter) throws -> Int
}

/// A provider's refusal, with the cause a person reads ("listener in maintenance").
public struct ProviderFailure: Error, Equatable, Sendable {
    public let cause: String
    public init(_ cause: String) { self.cause = cause }
}
