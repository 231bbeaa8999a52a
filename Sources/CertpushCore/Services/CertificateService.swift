import Foundation

/// The certificate use cases both front ends call: each change is one
/// transaction that also writes its activity entry.
public struct CertificateService: Sendable {
    public let store: any Store
    public let time: any TimeSource
    /// The OS user, recorded with every change.
    public let user: String
    /// A training workspace's exercise log (E3); nil in a live one.
    public var exercises: ExerciseLog?

    public init(store: any Store, time: any TimeSource = SystemTime(), user: String) {
        self.store = store
        self.time = time
        self.user = user
    }

    /// SPEC C1 to C5. Nothing is stored unless the whole import succeeds.
    @discardableResult
    public func importCertificate(_ request: ImportRequest) throws -> Certificate {
        let now = time.now()
        let draft = try CertificateImporter.draft(request, now: now)
        return try store.write { db in
            if let existing = try db.certificate(fingerprint: draft.certificate.fingerprint) {
                throw ImportError(file: request.certificate.name, reason: .duplicate(existing.id))
            }
            let id = try db.insert(draft)
            try db.append(ActivityEntry(at: now, user: user, action: "certificate.import",
                                        subject: id.description, detail: draft.certificate.name))
            guard let stored = try db.certificate(id) else { throw Refusal("The certificate vanished while it was stored.") }
            return stored
        }
    }

    public func certificate(_ id: CertificateID) throws -> Certificate {
        guard let certificate = try store.read({ try $0.certificate(id) }) else { throw Self.notFound(id) }
        return certificate
    }

    /// A certificate as its details page shows it: reading it is an exercise (E1's first).
    public func details(_ id: CertificateID) throws -> Certificate {
        let found = try certificate(id)
        exercises.note(.details, subject: id.description)
        return found
    }

    /// Resolves what a user typed (`c12`, `12`) to a certificate.
    public func certificate(named text: String) throws -> Certificate {
        guard let id = CertificateID(text) else { throw Refusal("\"\(DisplayText.neutralized(text))\" is not a certificate id (like c12).") }
        return try certificate(id)
    }

    /// The list index as the store holds it now; keep it while the data does not change.
    public func index() throws -> CertificateIndex {
        CertificateIndex(listing: try store.read { try $0.certificateListing() })
    }

    /// How many certificates there are, and one page of them newest first:
    /// what an unfiltered list shows before the index is built.
    public func count() throws -> Int { try store.read { try $0.certificateCount() } }

    public func ids(offset: Int, limit: Int) throws -> [CertificateID] {
        try store.read { try $0.certificateIDs(offset: offset, limit: limit) }
    }

    public func certificates(_ ids: [CertificateID]) throws -> [Certificate] {
        try store.read { try $0.certificates(ids) }
    }

    /// Every certificate, newest first, one at a time: for lists too long to
    /// hold. Each comes without its PEMs, with the length of its chain.
    public func forEach(_ body: (_ certificate: Certificate, _ chainLength: Int) throws -> Void) throws {
        try store.read { try $0.forEachCertificate(body) }
    }

    public func count(_ query: CertificateQuery) throws -> Int {
        try index().matching(query).count
    }

    /// The query's certificates, newest first, from `offset`.
    public func list(_ query: CertificateQuery, offset: Int = 0, limit: Int = .max) throws -> [Certificate] {
        let ids = try index().matching(query).dropFirst(max(0, offset)).prefix(max(0, limit))
        return try certificates(Array(ids))
    }

    /// Why this certificate cannot be deleted now (in use, needed by a task), or nil:
    /// the console asks before it confirms; `delete` checks again.
    public func whyNotDeletable(_ id: CertificateID) throws -> String? {
        try store.read { try Self.deletionRefusal(id, in: $0) }
    }

    private static func deletionRefusal(_ id: CertificateID, in db: any StoreReader) throws -> String? {
        let bound = try db.resources(ResourceFilter(certificateID: id))
        if !bound.isEmpty {
            let names = bound.prefix(3).map { "\($0.id) \($0.name)" }.joined(separator: ", ") + (bound.count > 3 ? ", ..." : "")
            return "\(id) is in use on \(bound.count) resource\(bound.count == 1 ? "" : "s") (\(DisplayText.neutralized(names))); bind another certificate there first."
        }
        let tasks = try db.tasksNeeding(id)
        if !tasks.isEmpty {
            let named = tasks.prefix(3).map(\.description).joined(separator: ", ") + (tasks.count > 3 ? ", ..." : "")
            return "\(id) is needed by deployment task\(tasks.count == 1 ? "" : "s") \(named), to deploy it or to roll back to it; delete \(tasks.count == 1 ? "that task" : "those tasks") first."
        }
        return nil
    }

    public func delete(_ id: CertificateID) throws {
        let now = time.now()
        try store.write { db in
            guard let certificate = try db.certificate(id) else { throw Self.notFound(id) }
            if let refusal = try Self.deletionRefusal(id, in: db) { throw Refusal(refusal) }
            try db.deleteCertificate(id)
            try db.append(ActivityEntry(at: now, user: user, action: "certificate.delete",
                                        subject: id.description, detail: certificate.name))
        }
    }

    /// Gives a certificate another name: what resolves a CDN name clash (P4)
    /// or a name D3 refuses, as renaming does in the cloud's console.
    @discardableResult
    public func rename(_ id: CertificateID, to newName: String) throws -> Certificate {
        let name = newName.trimmingCharacters(in: .whitespaces)
        if let problem = NameRule.problem(with: name, subject: "The certificate name") { throw Refusal(problem) }
        let now = time.now()
        return try store.write { db in
            guard let certificate = try db.certificate(id) else { throw Self.notFound(id) }
            guard certificate.name != name else {
                throw Refusal("\(id) is called \(DisplayText.neutralized(name)) already; nothing was changed.")
            }
            try db.rename(id, to: name)
            try db.append(ActivityEntry(at: now, user: user, action: "certificate.rename", subject: id.description,
                                        detail: "\(certificate.name) → \(name)"))
            guard let renamed = try db.certificate(id) else { throw Self.notFound(id) }
            return renamed
        }
    }

    public func activity(limit: Int) throws -> [ActivityEntry] {
        try store.read { try $0.activity(limit: limit) }
    }

    static func notFound(_ id: CertificateID) -> Refusal {
        Refusal("There is no certificate \(id).")
    }
}
