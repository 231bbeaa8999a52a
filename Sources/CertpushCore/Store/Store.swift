import Foundation

/// The persistence the core needs, owned here and implemented elsewhere
/// (SQLite through GRDB today). Every `write` is one transaction: it commits
/// whole or not at all.
public protocol Store: Sendable {
    func read<T>(_ body: (any StoreReader) throws -> T) throws -> T
    func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T
    /// T2: a write that claims a task (D14): one transaction, as `write`.
    /// On PostgreSQL it does not wait for the team's other writers: it locks
    /// only the rows it changes, and a task another runner is claiming at
    /// that moment is skipped (`FOR UPDATE SKIP LOCKED`, read through
    /// `claimTaskState`). On SQLite, the file's one writer does the same.
    func claim<T>(_ body: (any StoreWriter) throws -> T) throws -> T
    /// Where the data lives, for the title bar ("/home/me/.local/share/...").
    var location: String { get }
}

public protocol StoreReader {
    func certificate(_ id: CertificateID) throws -> Certificate?
    func certificate(fingerprint: String) throws -> Certificate?
    /// Every certificate's list entry, newest first: a narrow read, for `CertificateIndex`.
    func certificateListing() throws -> CertificateListing
    /// How many certificates there are: what an unfiltered list counts.
    func certificateCount() throws -> Int
    /// The ids of one page of the unfiltered list, newest first (the order of the listing).
    func certificateIDs(offset: Int, limit: Int) throws -> [CertificateID]
    /// These certificates, in this order; ids that do not exist are left out.
    /// Without `pems` their PEMs are not read (what rules and plans need is
    /// the rest: a plan of 20,000 certificates reads no PEM).
    func certificates(_ ids: [CertificateID], pems: Bool) throws -> [Certificate]
    /// Every certificate, newest first, handed over one at a time and never
    /// held whole, as a list shows it: without its PEMs (never read), with
    /// the length of its chain.
    func forEachCertificate(_ body: (_ certificate: Certificate, _ chainLength: Int) throws -> Void) throws
    func activity(limit: Int) throws -> [ActivityEntry]
    func value(forKey key: String) throws -> String?
    /// A certificate's private key, PEM, unsealed for a provider that needs it.
    /// - warning: the one way a key leaves the store: never print, log or show it (C6).
    func privateKeyPEM(of certificate: CertificateID) throws -> String?
    /// A setting stored sealed (the sandbox CA's key).
    func secret(forKey key: String) throws -> String?

    // The cloud inventory: regions, where services are enabled, service stores, resources.
    func regions() throws -> [Region]
    /// Whether `service` is enabled in `region` (nil: a global service in this account).
    func isEnabled(service: String, region: String?) throws -> Bool
    func serviceStore(service: String, region: String?) throws -> [ServiceStoreEntry]
    func serviceStores(holding certificate: CertificateID) throws -> [ServiceStoreEntry]
    func resources(_ filter: ResourceFilter) throws -> [CloudResource]
    /// The filter's resources by id, one at a time and never held whole.
    func forEachResource(_ filter: ResourceFilter, _ body: (CloudResource) throws -> Void) throws
    func resourceCount() throws -> Int
    /// How many resources each account has.
    func resourceCountsByAccount() throws -> [String: Int]
    /// What a server resource is on its host (S1); nil for a cloud resource.
    func serverSite(_ resource: ResourceID) throws -> ServerSite?
    /// S8: for each of these server resources, the other sites of its host
    /// that load the same certificate file (absent when none does).
    func sitesSharingFile(with resources: [ResourceID]) throws -> [ResourceID: [CloudResource]]
    /// The cloud's own id of a cloud account's resource.
    func remoteID(of resource: ResourceID) throws -> String?
    /// Up to `limit` of the filter's resources next to `anchor`, in list order
    /// (service, region, id): what a screen shows, read by index.
    func resourcePage(_ filter: ResourceFilter, _ anchor: PageAnchor<ResourcePosition>, limit: Int) throws -> [CloudResource]
    /// Resources by service and region, without scanning them.
    func resourceTally() throws -> [ResourceTally]
    /// How many resources the filter finds, counting no further than `limit`.
    func resourceCount(_ filter: ResourceFilter, upTo limit: Int) throws -> Int
    func resource(_ id: ResourceID) throws -> CloudResource?
    func resources(_ ids: [ResourceID]) throws -> [CloudResource]
    /// Resources whose domain is one of `domains` or lies one label under one
    /// of `parents`: an index lookup, however many resources there are.
    func resources(servingAnyOf domains: [String], orUnder parents: [String]) throws -> [CloudResource]
    func pushRecords(certificate: CertificateID, limit: Int) throws -> [PushRecord]
    /// H8: every target a certificate was pushed to through `account`, by certificate.
    func pushedTargets(account: String) throws -> [CertificateID: Set<PushTarget>]

    // Deployment tasks, contacts, the outbox.
    func contacts() throws -> [Contact]
    func task(_ id: TaskID) throws -> DeploymentTask?
    /// A pair's changes of status, oldest first.
    func steps(ofPair pair: Int64) throws -> [PairStep]
    func tasks() throws -> [DeploymentTask]
    /// D14's queue: pending tasks and scheduled ones whose time has come, oldest first.
    /// Every task without its pairs, newest first.
    func taskSummaries() throws -> [TaskSummary]
    func taskSummary(_ id: TaskID) throws -> TaskSummary?
    /// S11: a task's pairs on one service, counted by region (a server's host) and status.
    func pairCountsByRegion(_ task: TaskID, service: String) throws -> [(region: String, status: PairStatus, count: Int)]
    /// Up to `limit` of a task's pairs on one service next to `anchor`, by pair id.
    func pairPage(_ task: TaskID, service: String, _ anchor: PageAnchor<Int64>, limit: Int) throws -> [TaskPair]
    func queuedTasks(at now: Date) throws -> [TaskID]
    /// Tasks with work in flight: running, or with a pair left deploying or rolling back.
    func tasksInFlight() throws -> [TaskID]
    func taskState(_ task: TaskID) throws -> TaskState?
    /// Tasks that still need this certificate: to deploy it, or to roll back to it (D12).
    func tasksNeeding(_ certificate: CertificateID) throws -> [TaskID]
    /// Push targets recorded as intents whose result was never recorded (R3).
    func pushesInFlight() throws -> [PushRecord]
    func notifications(limit: Int) throws -> [TaskNotification]
    /// Whether the sandbox and real accounts' work are here (W7).
    func workspaceContents() throws -> WorkspaceContents
    /// What a training workspace shows was done, for its exercises (E3).
    func exerciseFacts() throws -> ExerciseFacts
    /// Whether the exercise log holds this event already.
    func exerciseNoted(_ event: String) throws -> Bool
    /// What a provider kept about one of certpush's things, or nil.
    func reference(_ reference: ProviderReference) throws -> String?
}

extension Store {
    public func claim<T>(_ body: (any StoreWriter) throws -> T) throws -> T { try write(body) }
}

extension StoreReader {
    /// These certificates with their PEMs, in this order.
    public func certificates(_ ids: [CertificateID]) throws -> [Certificate] { try certificates(ids, pems: true) }
}

public protocol StoreWriter: StoreReader {
    /// Stores the certificate (its id is assigned here) and its key apart.
    func insert(_ draft: CertificateDraft) throws -> CertificateID
    func deleteCertificate(_ id: CertificateID) throws
    func append(_ entry: ActivityEntry) throws
    func setValue(_ value: String, forKey key: String) throws
    /// Stores a setting sealed, as private keys are.
    func setSecret(_ secret: String, forKey key: String) throws

    func addRegion(_ region: Region) throws
    func enable(service: String, region: String?) throws
    func addToServiceStore(_ entry: ServiceStoreEntry) throws
    func insertResource(_ resource: CloudResource) throws -> ResourceID
    /// Makes a host's resources of one server kind the sites found there:
    /// kept ones updated, new ones added, gone ones removed. Returns how many there are.
    /// What a server site's certificate file holds now, after a deployment or roll back.
    func setServedFingerprint(_ fingerprint: String, on resource: ResourceID) throws
    @discardableResult
    func replaceServerSites(account: String, service: String, host: String, with sites: [ServerSite]) throws -> Int
    func setCertificate(_ certificate: CertificateID?, on resource: ResourceID) throws
    /// Records a push target; its `id` is assigned here and returned.
    @discardableResult
    func append(_ record: PushRecord) throws -> Int64
    /// Records the result of a target that was recorded in flight.
    func settle(_ record: PushRecord) throws
    /// Takes back a record whose push never reached the cloud's decision (keys refused, R5).
    func withdraw(_ record: PushRecord) throws
    /// A cloud account's resources as its last synchronization listed them,
    /// kept by the cloud's own id: what is gone is removed. The number kept.
    func replaceCloudResources(account: String, with resources: [RemoteResource]) throws -> Int

    func saveContact(_ contact: Contact, replacing oldName: String?) throws
    func deleteContact(named name: String) throws
    /// Keeps a new task with its pairs: the task as kept, with its id and its pairs' ids.
    func insert(_ task: DeploymentTask) throws -> DeploymentTask
    func setStatus(_ task: TaskID, _ status: TaskStatus, finishedAt: Date?) throws
    /// T2: the task's state for a claim, its row held until the transaction
    /// ends; nil when there is no such task, or another runner holds its row
    /// this moment (PostgreSQL's SKIP LOCKED): that runner is claiming it.
    func claimTaskState(_ task: TaskID) throws -> TaskState?
    /// The claim on a task (D14); nil releases it.
    func setLease(_ task: TaskID, _ lease: TaskLease?) throws
    /// Keeps the pair as it is now; a change of status or cause is also kept as a step, at `at`.
    func update(_ pair: TaskPair, at: Date) throws
    func deleteTask(_ id: TaskID) throws
    @discardableResult
    func append(_ notification: TaskNotification) throws -> Int64
    func setDeliveryFailure(_ failure: String, onNotification id: Int64) throws
    /// A certificate's user-given name, and what the list filter finds it by.
    func rename(_ certificate: CertificateID, to name: String) throws
    /// Ends (nil) or plans a sandbox resource's failure (W6).
    func setFault(_ fault: String?, on resource: ResourceID) throws
    /// Everything a training workspace holds, gone, so that the sandbox can be
    /// seeded again (W6): certificates, inventory, tasks, contacts, outbox,
    /// exercise log. The activity log and the workspace's own settings stay.
    func eraseForReseed() throws
    /// A line of the exercise log (E3).
    func noteExercise(_ event: String, subject: String, at: Date) throws
    func setReference(_ value: String, for reference: ProviderReference) throws
}

/// A message to a contact about a task, kept in the outbox (D15).
public struct TaskNotification: Sendable, Equatable {
    /// Assigned by the store; 0 before.
    public var id: Int64 = 0
    public var taskID: TaskID
    public var contact: String
    public var at: Date
    public var message: String
    /// Why `notify_command` did not take it ("timed out after 10 s", "no notify_command is set"); empty when it did.
    public var deliveryFailure: String = ""
    /// The contact's email address and the task's status code, for `notify_command`'s
    /// environment (CERTPUSH_EMAIL, CERTPUSH_STATUS); not kept in the outbox.
    public var email: String = ""
    public var taskStatus: String = ""
    public init(taskID: TaskID, contact: String, at: Date, message: String) {
        self.taskID = taskID
        self.contact = contact
        self.at = at
        self.message = message
    }
}

/// What the certificate list asks for.
public struct CertificateQuery: Sendable, Equatable {
    public var source: CertificateSource?
    /// Case-insensitive text that id, name or a domain must contain.
    public var text: String
    /// Only issued or hosted certificates whose notAfter falls in this range.
    public var expiring: Range<Date>?

    public init(source: CertificateSource? = nil, text: String = "", expiring: Range<Date>? = nil) {
        self.source = source
        self.text = text
        self.expiring = expiring
    }
}

/// One line of the audit log: who did what to what, and when.
public struct ActivityEntry: Sendable, Equatable {
    public var at: Date
    public var user: String
    public var action: String
    public var subject: String
    public var detail: String

    public init(at: Date, user: String, action: String, subject: String, detail: String = "") {
        self.at = at
        self.user = user
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// T3: a store that other processes change (a team's, in PostgreSQL) and
/// that hears when they do: an open console reads again what it shows.
public protocol ChangeFeed: AnyObject, Sendable {
    /// A number that moves each time a change is committed, here or elsewhere.
    var changesHeard: Int { get }
}
