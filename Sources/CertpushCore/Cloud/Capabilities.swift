import Foundation

// What an account can be asked to do, each capability sized to what a
// driver does (SPEC 10): push into a service's certificate store, deploy onto
// resources, read what resources there are, prove what a resource serves.
// An account's driver (CertpushSetup's `AccountDriver`) offers the ones its
// kind has; the engine asks `Drivers` for the one it needs, by account.
//
// A driver owns its own state, as a cloud does: certpush never calls it inside
// a database transaction (SPEC R3). Each action is recorded as an intent and
// committed, then the driver is called, then the result is committed; after a
// crash, `served(on:)` and `holds` are how the engine asks for the truth of
// an action left at intent.
//
// A call may take long, fail half-way or never answer; callers hold no lock
// and no transaction while it runs.

/// What the engine hands a driver: a certificate with its chain and key, read
/// once from the store. Its description never shows the key.
public struct CertificateMaterial: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let certificate: Certificate
    /// The private key, PEM; nil when certpush holds none.
    public let privateKeyPEM: String?

    public init(certificate: Certificate, privateKeyPEM: String?) {
        self.certificate = certificate
        self.privateKeyPEM = privateKeyPEM
    }

    /// The certificate then its chain, each PEM ending in a newline; nil for a certificate without its PEM.
    public var fullChainPEM: String? {
        certificate.certificatePEM.map { pem in ([pem] + certificate.chainPEM).map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined() }
    }

    /// The key, ending in a newline, or the sentence a driver that needs one fails with.
    public func key(for whom: String) throws -> String {
        guard let privateKeyPEM else { throw ProviderFailure("\(certificate.id) has no private key held here, and \(whom) needs one") }
        return privateKeyPEM.hasSuffix("\n") ? privateKeyPEM : privateKeyPEM + "\n"
    }

    public var description: String { "\(certificate.id) (\(certificate.fingerprint.prefix(16))…, key withheld)" }
    public var debugDescription: String { description }
}

/// Puts certificates into a service's certificate store (SPEC 4, H3).
public protocol Pusher: Sendable {
    /// Pushes into the service's store at each region (nil for a global
    /// service) in as few calls as the cloud allows: each target's error, nil
    /// where it worked. Throws what stops the whole push, such as keys the
    /// cloud does not accept (R5).
    func push(_ material: CertificateMaterial, service: CloudService, regions: [String?]) throws -> [Error?]
    /// Whether the store at `region` holds the certificate now; nil when the
    /// cloud has no call that says (then an interrupted push is not guessed at).
    func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool?
    /// The regions a push may choose from, each with the regional services enabled there (P5, P6).
    func regions() throws -> [RegionSummary]
    /// Whether a global service takes pushes here.
    func enabled(_ service: CloudService) throws -> Bool
    /// H8: where the cloud says each certificate (of those it took from
    /// certpush) is in use; a certificate it does not know is left out. Nil
    /// when the cloud has no call that says.
    func inUse(_ certificates: [Certificate]) throws -> [CertificateID: [InUse]]?
    /// H6: the name the cloud keeps the certificate under, where it is not certpush's.
    func remoteName(of certificate: Certificate) throws -> String?
}

extension Pusher {
    /// A cloud says where a service is not enabled when it is pushed (P6).
    public func enabled(_ service: CloudService) throws -> Bool { true }
    /// A cloud with no call that says where a certificate is in use.
    public func inUse(_ certificates: [Certificate]) throws -> [CertificateID: [InUse]]? { nil }
    public func remoteName(of certificate: Certificate) throws -> String? { nil }
}

/// Where a cloud says a certificate is in use (H8): a resource of one of its
/// services, in a region or (nil) a global service.
public struct InUse: Sendable, Equatable {
    public var target: PushTarget
    public var resource: String
    public init(target: PushTarget, resource: String) {
        self.target = target
        self.resource = resource
    }
    public var description: String { "\(target): \(resource)" }
}

/// Puts certificates on resources, and takes them back (SPEC 5, D12).
public protocol Deployer: Sendable {
    /// Whether a task's pairs of this account go as one job (CAS, A4) rather than a call each.
    var deploysInJobs: Bool { get }
    /// S11: how many lanes (a servers account's hosts: a pair's `region`) run
    /// at once, each lane's pairs in order; 1: the pairs one after another.
    var parallel: Int { get }
    /// S11: its lanes in the account's order (a servers account's hosts), and
    /// how many of the first go first as canaries; a failed canary stops the task.
    var lanes: [String] { get }
    var canary: Int { get }
    /// Puts the certificate on the resource.
    func bind(_ material: CertificateMaterial, to resource: CloudResource) throws
    /// Deploys pairs as one job: each pair's error, nil where it worked.
    func deploy(_ pairs: [(material: CertificateMaterial, resource: CloudResource)]) throws -> [Error?]
    /// Puts back what the resource had before: `previous`, or none.
    func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws
    /// SHA-256 of the certificate the resource holds now, as the driver sees it; nil for none.
    func served(on resource: CloudResource) throws -> String?
}

extension Deployer {
    public var deploysInJobs: Bool { false }
    public var parallel: Int { 1 }
    public var lanes: [String] { [] }
    public var canary: Int { 0 }

    public func deploy(_ pairs: [(material: CertificateMaterial, resource: CloudResource)]) throws -> [Error?] {
        pairs.map { pair in Result { try bind(pair.material, to: pair.resource) }.failure }
    }
}

/// Reads what resources an account has now (D16). It changes nothing in
/// certpush: what it saw is committed by `DeploymentService.record`.
public protocol Inventory: Sendable {
    func observe() throws -> Observation
}

/// Proves by a handshake what resources serve (S5).
public protocol Verifier: Sendable {
    /// What each resource serves now, beside what certpush recorded there.
    func verify(_ resources: [CloudResource]) throws -> [SiteVerification]
}

/// What an inventory saw, for the deployment service to commit in one transaction.
public struct Observation: Sendable {
    public enum Part: Sendable {
        /// A server host's TLS sites, read whole: they replace its resources.
        /// `files` are the configuration files read, the main one first.
        case sites(host: String, service: String, files: [String], [ServerSite])
        /// A cloud account's resources, read whole: they replace its resources.
        case resources([RemoteResource])
        /// A host that could not be read: its resources stay as they were.
        case unreadable(host: String, cause: String)
        /// An inventory that is its own truth (the sandbox): nothing to replace.
        case kept(count: Int)
    }

    public var parts: [Part]
    /// Certificates resources hold that certpush may not know: kept without their key.
    public var certificates: [ObservedCertificate]

    public init(_ parts: [Part], certificates: [ObservedCertificate] = []) {
        self.parts = parts
        self.certificates = certificates
    }
}

/// A certificate read from where it is deployed, by its PEM.
public struct ObservedCertificate: Sendable, Equatable {
    public var name: String
    public var pem: String
    /// Where it was seen, for the activity log ("a resource of cas-prod in CAS").
    public var seenAt: String

    public init(name: String, pem: String, seenAt: String) {
        self.name = name
        self.pem = pem
        self.seenAt = seenAt
    }
}

/// S5: what one resource serves now, beside what certpush recorded there.
/// Drift is a resource serving something else, or nothing.
public struct SiteVerification: Sendable, Equatable {
    public var resource: ResourceID
    public var name: String
    /// What the handshake found: a certificate id certpush knows, a fingerprint, or why it failed.
    public var served: String
    /// What certpush recorded: the resource's certificate, else the fingerprint the last sync read.
    public var expected: String
    public var ok: Bool
    /// The account the resource belongs to; the workspace fills it in.
    public var account = ""

    public init(resource: ResourceID, name: String, served: String, expected: String, ok: Bool) {
        self.resource = resource
        self.name = name
        self.served = served
        self.expected = expected
        self.ok = ok
    }
}

/// What one account's driver offers; nil where its kind cannot.
public struct AccountActions: Sendable {
    public var pusher: (any Pusher)?
    public var deployer: (any Deployer)?
    public var inventory: (any Inventory)?
    public var verifier: (any Verifier)?

    public init(pusher: (any Pusher)? = nil, deployer: (any Deployer)? = nil, inventory: (any Inventory)? = nil, verifier: (any Verifier)? = nil) {
        self.pusher = pusher
        self.deployer = deployer
        self.inventory = inventory
        self.verifier = verifier
    }

    /// The capabilities a kind of account has, named without a driver.
    public struct Capabilities: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let push = Capabilities(rawValue: 1)
        public static let deploy = Capabilities(rawValue: 2)
        public static let inventory = Capabilities(rawValue: 4)
        public static let verify = Capabilities(rawValue: 8)
    }

    /// An account certpush cannot act for (its keys are missing): each capability of its kind fails with `reason`.
    public static func unavailable(_ reason: Refusal, offering capabilities: Capabilities) -> AccountActions {
        let failing = Unavailable(reason: reason)
        return AccountActions(pusher: capabilities.contains(.push) ? failing : nil, deployer: capabilities.contains(.deploy) ? failing : nil,
                              inventory: capabilities.contains(.inventory) ? failing : nil, verifier: capabilities.contains(.verify) ? failing : nil)
    }
}

/// The drivers of a workspace's accounts, by account name: where the engine
/// finds who acts on a resource or takes a push.
public struct Drivers: Sendable {
    public let byAccount: [String: AccountActions]

    public init(_ byAccount: [String: AccountActions]) { self.byAccount = byAccount }

    /// The sandbox's driver alone, as a training workspace has it.
    public static func only(_ actions: AccountActions, account: String = Account.sandboxName) -> Drivers {
        Drivers([account: actions])
    }

    public func pusher(_ account: String) throws -> any Pusher {
        guard let pusher = byAccount[account]?.pusher else { throw Refusal("\(DisplayText.neutralized(account)) takes no pushes.") }
        return pusher
    }

    public func deployer(_ account: String) throws -> any Deployer {
        guard let actions = byAccount[account] else {
            throw ProviderFailure("account \(account) is not in config.toml any more, so nothing can act on its resources")
        }
        guard let deployer = actions.deployer else {
            throw ProviderFailure("\(account) takes pushes only: bind the certificate in the cloud's own console")
        }
        return deployer
    }

    public func takesPushes(_ account: String) -> Bool { byAccount[account]?.pusher != nil }
}

/// Every capability of an account certpush cannot act for, failing with one sentence.
struct Unavailable: Pusher, Deployer, Inventory, Verifier {
    let reason: Refusal
    func push(_ material: CertificateMaterial, service: CloudService, regions: [String?]) throws -> [Error?] { throw reason }
    func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool? { throw reason }
    func regions() throws -> [RegionSummary] { throw reason }
    func enabled(_ service: CloudService) throws -> Bool { throw reason }
    var deploysInJobs: Bool { true }
    func bind(_ material: CertificateMaterial, to resource: CloudResource) throws { throw ProviderFailure(reason.sentence) }
    func deploy(_ pairs: [(material: CertificateMaterial, resource: CloudResource)]) throws -> [Error?] { throw reason }
    func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws { throw ProviderFailure(reason.sentence) }
    func served(on resource: CloudResource) throws -> String? { throw reason }
    func observe() throws -> Observation { throw reason }
    func verify(_ resources: [CloudResource]) throws -> [SiteVerification] { throw reason }
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
