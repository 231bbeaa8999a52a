/// What a provider keeps about certpush's things: a cloud's id for a
/// certificate, the job and the worker that deployed a resource. It is kept
/// in a table of its own, by account, never among certpush's settings.
public struct ProviderReference: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// SCM's id of a certificate, by its fingerprint (H2).
        case scmCertificate = "scm.certificate"
        /// CAS's id of a certificate, by certpush's id (A3).
        case casCertificate = "cas.certificate"
        /// certpush's id of a certificate, by CAS's id.
        case casCertpushID = "cas.certpush-id"
        /// The CAS job last made for a resource (A4, R3).
        case casJob = "cas.job"
        /// The CAS worker that deployed a resource, and its job: what a roll back acts on (A6).
        case casWorker = "cas.worker"
        case casWorkerJob = "cas.worker-job"
    }

    public var account: String
    public var kind: Kind
    public var subject: String

    public init(_ kind: Kind, account: String, subject: String) {
        self.kind = kind
        self.account = account
        self.subject = subject
    }
}
