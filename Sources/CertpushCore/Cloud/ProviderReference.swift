/// What a driver keeps about certpush's things: a cloud's id for a
/// certificate, the job and the worker that deployed a resource. It is kept
/// in a table of its own, by account, never among certpush's settings; each
/// driver names its own kinds (`ProviderReference.Kind.scmCertificate` is
/// SCM's, declared beside it).
public struct ProviderReference: Sendable, Hashable {
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
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
