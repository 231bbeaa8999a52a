import Foundation

/// A certificate as certpush keeps it (SPEC section 2). The private key is not
/// part of this value: it lives apart in the store and never leaves it.
public struct Certificate: Sendable, Equatable {
    public var id: CertificateID
    public var name: String
    /// SAN DNS names (else the CN), primary first.
    public var domains: [String]
    public var keyAlgorithm: KeyAlgorithm
    public var family: CertificateFamily
    public var source: CertificateSource
    /// What the certificate's life has made it; `expired` is never stored but
    /// derived from `notAfter` by `status(at:)`.
    public var lifecycle: CertificateLifecycle
    public var notBefore: Date?
    public var notAfter: Date?
    public var issuer: String
    public var serial: String
    /// SHA-256 of the DER, lowercase hex; empty for a pending certificate.
    public var fingerprint: String
    /// The leaf, PEM; nil while pending.
    public var certificatePEM: String?
    /// Intermediates that came with it, PEM, leaf's issuer first.
    public var chainPEM: [String]
    public var hasPrivateKey: Bool
    public var manualCSR: Bool
    public var shared: Bool
    public var createdAt: Date

    public init(
        id: CertificateID, name: String, domains: [String], keyAlgorithm: KeyAlgorithm,
        family: CertificateFamily, source: CertificateSource, lifecycle: CertificateLifecycle,
        notBefore: Date?, notAfter: Date?, issuer: String, serial: String, fingerprint: String,
        certificatePEM: String?, chainPEM: [String], hasPrivateKey: Bool, manualCSR: Bool,
        shared: Bool, createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.domains = domains
        self.keyAlgorithm = keyAlgorithm
        self.family = family
        self.source = source
        self.lifecycle = lifecycle
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.issuer = issuer
        self.serial = serial
        self.fingerprint = fingerprint
        self.certificatePEM = certificatePEM
        self.chainPEM = chainPEM
        self.hasPrivateKey = hasPrivateKey
        self.manualCSR = manualCSR
        self.shared = shared
        self.createdAt = createdAt
    }

    public var primaryDomain: String { domains.first ?? "" }

    public func status(at now: Date) -> CertificateStatus {
        CertificateStatus(lifecycle: lifecycle, notAfter: notAfter, now: now)
    }
}

public enum CertificateFamily: String, Sendable, CaseIterable, Codable {
    case international, sm
}

public enum CertificateSource: String, Sendable, CaseIterable, Codable {
    /// Issued through this manager.
    case official
    /// Imported by a user.
    case uploaded
}

/// The stored part of a certificate's status.
public enum CertificateLifecycle: String, Sendable, CaseIterable {
    case pending, issued, hosted, revoked
}

public enum CertificateStatus: String, Sendable, CaseIterable, Codable {
    case pending, issued, hosted, expired, revoked

    /// `expired` comes from the clock, never from storage, so it is never stale.
    /// A revoked certificate stays revoked; a pending one has no validity yet.
    public init(lifecycle: CertificateLifecycle, notAfter: Date?, now: Date) {
        switch lifecycle {
        case .pending: self = .pending
        case .revoked: self = .revoked
        case .issued, .hosted:
            if let notAfter, notAfter <= now {
                self = .expired
            } else {
                self = lifecycle == .issued ? .issued : .hosted
            }
        }
    }
}

/// `RSA-2048`, `EC-P256`, `SM2`, `Ed25519`, ...
public struct KeyAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static func rsa(bits: Int) -> KeyAlgorithm { KeyAlgorithm(rawValue: "RSA-\(bits)") }
    public static let ecP256 = KeyAlgorithm(rawValue: "EC-P256")
    public static let ecP384 = KeyAlgorithm(rawValue: "EC-P384")
    public static let ecP521 = KeyAlgorithm(rawValue: "EC-P521")
    public static let sm2 = KeyAlgorithm(rawValue: "SM2")
    public static let ed25519 = KeyAlgorithm(rawValue: "Ed25519")
    public static let unknown = KeyAlgorithm(rawValue: "unknown")

    public var description: String { rawValue }
}
