import Foundation

/// What a user asks a deployment task to do.
public struct TaskRequest: Sendable, Equatable {
    public var name: String
    public var certificates: [CertificateID]
    public var resources: [ResourceID]
    /// Add the smart-matched resources (D5).
    public var match: Bool
    /// nil: deploy now; else a custom time that must be in the future (D1).
    public var at: Date?
    public var contacts: [String]

    public init(name: String, certificates: [CertificateID], resources: [ResourceID] = [], match: Bool = false,
                at: Date? = nil, contacts: [String] = []) {
        self.name = name
        self.certificates = certificates
        self.resources = resources
        self.match = match
        self.at = at
        self.contacts = contacts
    }
}

/// The preview (D9): the pairs, the quota they consume, and why the task
/// cannot be submitted, if it cannot.
public struct TaskPlan: Sendable, Equatable {
    public var request: TaskRequest
    public var certificates: [Certificate]
    public var resources: [CloudResource]
    public var pairs: [PlannedPair]
    public var quota: Int
    public var quotaRemaining: Int
    /// Each one a sentence; the task can be submitted only when there are none.
    public var problems: [String]
    /// What will fail when the task runs, though it may be submitted (D7's
    /// "domain mismatch"): each a sentence.
    public var warnings: [String] = []
    /// The rules among the problems that refuse a certificate itself ("D3", "D4"), for the exercises.
    public var refusedBy: Set<String> = []

    public var canSubmit: Bool { problems.isEmpty }
}

public struct PlannedPair: Sendable, Equatable {
    public var certificate: CertificateID
    public var resource: ResourceID
    public init(certificate: CertificateID, resource: ResourceID) {
        self.certificate = certificate
        self.resource = resource
    }
}

/// SPEC 5, D1 to D9, as pure functions over the facts the caller gathers.
public enum DeploymentRules {
    public static let maximumContacts = 10
    public static let smartMatchServices: Set<String> = ["cdn", "dcdn"]

    /// D5: which of `candidates` the certificates match: a resource that already
    /// has a certificate and serves a covered domain; for CDN and DCDN also
    /// one without HTTPS yet (first deployment).
    public static func smartMatches(for certificates: [Certificate], among candidates: [CloudResource]) -> [CloudResource] {
        let index = DomainMatch.Index(certificates, names: \.domains)
        return candidates.filter { resource in
            // S9: a site that answers any name is never added for the user: it is chosen, or left.
            guard !resource.answersAnyName, resource.certificateID != nil || CloudService.named(resource.service)?.firstDeployment == true else { return false }
            return index.best(for: resource.domain).rank != .none
        }
    }

    /// What the console asks before adding smart matches: how many, and why
    /// each kind matched (a certificate in use, or no HTTPS yet). `which`
    /// names them by account in a live workspace (W5).
    public static func smartMatchOffer(_ matched: [CloudResource], which: String = "") -> (text: String, button: String) {
        let inUse = matched.filter { $0.certificateID != nil }.count, first = matched.count - inUse
        let them = matched.count == 1 ? "it" : "them"
        let text: String
        switch (inUse, first) {
        case (_, 0):
            text = "\(Words.count(inUse, "resource"))\(which) already \(inUse == 1 ? "uses a certificate" : "use certificates") for domains your selection covers."
        case (0, _):
            text = "\(Words.count(first, "CDN or DCDN resource"))\(which) without HTTPS yet \(first == 1 ? "serves a domain" : "serve domains") your selection covers (a first deployment)."
        default:
            text = "\(Words.count(matched.count, "resource"))\(which) serve domains your selection covers: \(inUse) already \(inUse == 1 ? "uses a certificate" : "use certificates"), "
                + "\(first) \(first == 1 ? "has" : "have") no HTTPS yet (a first deployment)."
        }
        return (text + " Add \(them)?", "Add \(them.capitalized)")
    }

    /// The domains and parents to look resources up by, for `smartMatches`.
    public static func lookupKeys(for certificates: [Certificate]) -> (domains: [String], parents: [String]) {
        let names = Set(certificates.flatMap(\.domains).map { $0.lowercased() })
        return (names.sorted(), names.compactMap(DomainMatch.wildcardBase).sorted())
    }

    /// D1 to D4, D6, D8, D9: the plan, with every problem that stops it.
    /// `replaced`: the certificates the resources hold now, by id, for D7's warning.
    public static func plan(_ request: TaskRequest, certificates: [Certificate], resources: [CloudResource],
                            knownContacts: Set<String>, quotaRemaining: Int, now: Date,
                            replaced: [CertificateID: Certificate] = [:],
                            sharingFile: [ResourceID: [CloudResource]] = [:]) -> TaskPlan {
        var problems = basicsProblems(request, knownContacts: knownContacts, now: now)
        var refusedBy: Set<String> = []
        if certificates.isEmpty { problems.append("Choose at least one certificate.") }
        if Set(certificates.map(\.source)).count > 1 { problems.append(mixedSources) }
        for certificate in certificates {
            if let why = whyNotDeployable(certificate, now: now) { problems.append("\(certificate.id) cannot be deployed: \(why).") }
            if hasChineseName(certificate) { refusedBy.insert("D3") }
        }
        var pairs: [PlannedPair] = []
        var warnings: [String] = []
        // Resources that already serve the certificate chosen for them: one warning per certificate.
        var repairs: [CertificateID: [ResourceID]] = [:]
        let index = DomainMatch.Index(certificates, names: \.domains)
        for resource in resources {
            guard let service = CloudService.named(resource.service) else { continue }
            // S7: a server site certpush cannot resolve is listed with why, and never deployed to.
            if service.onServers, let problem = resource.fault {
                problems.append("\(resource.id) cannot be deployed to: \(problem).")
                continue
            }
            if resource.certificateID == nil && !service.firstDeployment {
                problems.append("\(resource.id) has no certificate yet, and \(service.label) takes only resources that already have one.")
            }
            switch coverage(of: resource, in: index) {
            case .uncovered:
                problems.append("\(resource.id) (\(DisplayText.neutralized(resource.domain))) is not covered by any chosen certificate: remove it or choose one that covers it.")
            case .tied(let tied):
                let names = tied.map(\.id.description).joined(separator: " and ")
                problems.append(service.code == "elb"
                    ? "\(resource.id) is an ELB listener: one task cannot put both \(names) on it."
                    : "\(resource.id) is covered equally well by \(names): choose one of them.")
            case .best(let certificate):
                if certificate.family == .sm && !service.acceptsSM {
                    refusedBy.insert("D4")
                    problems.append("\(certificate.id) is an SM certificate: it deploys only to CDN, DCDN and Anti-DDoS, not to \(resource.id) (\(service.label)).")
                }
                pairs.append(PlannedPair(certificate: certificate.id, resource: resource.id))
                if let others = sharingFile[resource.id], !others.isEmpty {
                    let (sentence, uncovered) = Self.sharedFile(resource, others, certificate)
                    warnings.append(sentence)
                    problems += uncovered
                }
                if resource.answersAnyName {
                    warnings.append("\(resource.id) answers any name: every client that reaches it, whatever name it asks for, will get \(certificate.id).")
                }
                if resource.certificateID == certificate.id {
                    repairs[certificate.id, default: []].append(resource.id)
                } else if let old = resource.certificateID.flatMap({ replaced[$0] }),
                   failure(deploying: certificate, to: resource, replacing: old) != nil {
                    warnings.append("\(resource.id) will fail with \"domain mismatch\": \(certificate.id) does not cover \(DisplayText.neutralized(old.primaryDomain)), the domain of \(old.id) it would replace (\(service.label) keeps the domain, D7).")
                }
            }
        }
        warnings += certificates.compactMap { certificate in repairs[certificate.id].map { Self.repairWarning($0, certificate.id) } }
        problems += Self.fileConflicts(pairs, sharingFile)
        let chargeable = Set(certificates.filter(isCharged).map(\.id))
        let charging = Set(resources.filter { chargesQuota($0.service, account: $0.account) }.map(\.id))
        let quota = pairs.filter { chargeable.contains($0.certificate) && charging.contains($0.resource) }.count
        if pairs.isEmpty && problems.isEmpty { problems.append("The task has no certificate-resource pairs: add resources.") }
        if quota > quotaRemaining {
            problems.append("The task needs \(Words.count(quota, "unit")) of deployment quota; \(quotaRemaining) \(quotaRemaining == 1 ? "is" : "are") left.")
        }
        return TaskPlan(request: request, certificates: certificates, resources: resources, pairs: pairs,
                        quota: quota, quotaRemaining: quotaRemaining, problems: problems, warnings: warnings, refusedBy: refusedBy)
    }

    /// S8: the unit that changes is the file: what preview says of the sites
    /// that load it too, and one problem for each the certificate would not cover.
    public static func sharedFile(_ resource: CloudResource, _ others: [CloudResource], _ certificate: Certificate) -> (String, [String]) {
        let ids = others.map(\.id.description).joined(separator: ", ")
        let sentence = "\(resource.id) shares its certificate file with \(ids): \(others.count == 1 ? "it gets" : "they get") \(certificate.id) too, and the proof covers \(others.count == 1 ? "it" : "them")."
        let uncovered = others.filter { !$0.answersAnyName && !DomainMatch.covers(anyOf: certificate.domains, $0.domain) }.map { other in
            "\(other.id) (\(DisplayText.neutralized(other.domain))) loads the same certificate file as \(resource.id), and \(certificate.id) does not cover it: choose a certificate that covers both, or give \(other.id) a file of its own."
        }
        return (sentence, uncovered)
    }

    /// S8: two pairs of one task on sites that load one file must put the same certificate there.
    public static func fileConflicts(_ pairs: [PlannedPair], _ sharingFile: [ResourceID: [CloudResource]]) -> [String] {
        var chosen: [ResourceID: CertificateID] = [:]
        for pair in pairs { chosen[pair.resource] = pair.certificate }
        var problems: [String] = []
        for pair in pairs {
            for other in sharingFile[pair.resource] ?? [] where other.id > pair.resource {
                if let theirs = chosen[other.id], theirs != pair.certificate {
                    problems.append("\(pair.resource) and \(other.id) load the same certificate file: one task cannot put both \(pair.certificate) and \(theirs) there.")
                }
            }
        }
        return problems
    }

    /// "r1 already serves c1: ..." or "r1, r4 and r10 already serve c1: ...".
    static func repairWarning(_ resources: [ResourceID], _ certificate: CertificateID) -> String {
        let names = resources.map(\.description)
        let subject = names.count == 1 ? "\(names[0]) already serves" : "\(names.dropLast().joined(separator: ", ")) and \(names.last!) already serve"
        let its = names.count == 1 ? "its roll back keeps" : "a roll back keeps"
        return "\(subject) \(certificate): deploying it again writes it afresh (a repair), and \(its) \(certificate)."
    }

    /// D1: the task's name, contacts and time, as the wizard's first step checks them.
    public static func basicsProblems(_ request: TaskRequest, knownContacts: Set<String>, now: Date) -> [String] {
        var problems: [String] = []
        let name = request.name.trimmingCharacters(in: .whitespaces)
        if let problem = NameRule.problem(with: name, subject: "The task name") { problems.append(problem) }
        if request.contacts.count > maximumContacts { problems.append("A task can have at most \(maximumContacts) contacts.") }
        for contact in request.contacts where !knownContacts.contains(contact) {
            problems.append("\(DisplayText.neutralized(contact)) is not in the contacts list.")
        }
        if let at = request.at, at <= now { problems.append("The custom deployment time must be in the future.") }
        return problems
    }

    /// D2's reason.
    public static let mixedSources = "A task deploys official or uploaded certificates, not both: split them into two tasks."

    /// D3 and the lifecycle: why this certificate cannot be deployed at all
    /// ("its name contains Chinese characters", "it is expired"), or nil.
    public static func whyNotDeployable(_ certificate: Certificate, now: Date) -> String? {
        if hasChineseName(certificate) { return "its name contains Chinese characters" }
        let status = certificate.status(at: now)
        if status != .issued && status != .hosted { return "it is \(status.rawValue)" }
        if !certificate.hasPrivateKey { return "no private key held" }
        return nil
    }

    /// D5a: how the chosen certificates cover a resource's domain.
    public enum Coverage: Equatable, Sendable {
        /// No chosen certificate covers it.
        case uncovered
        /// This one covers it best (an exact name beats a wildcard).
        case best(Certificate)
        /// These cover it equally well: the user must choose.
        case tied([Certificate])
    }

    public static func coverage(of resource: CloudResource, by certificates: [Certificate]) -> Coverage {
        coverage(of: resource, in: DomainMatch.Index(certificates, names: \.domains))
    }

    static func coverage(of resource: CloudResource, in index: DomainMatch.Index<Certificate>) -> Coverage {
        // S9: a site that answers any name takes the certificate chosen for it, whichever it is.
        if resource.answersAnyName {
            let chosen = index.items
            return chosen.count == 1 ? .best(chosen[0]) : chosen.isEmpty ? .uncovered : .tied(chosen)
        }
        var seen = Set<CertificateID>()
        let best = index.best(for: resource.domain).values.filter { seen.insert($0.id).inserted }
        switch best.count {
        case 0: return .uncovered
        case 1: return .best(best[0])
        default: return .tied(best)
        }
    }

    /// Quota (D9) is the sandbox's: a server of one's own charges none, and a
    /// real cloud charges its own jobs against its own quota (A4).
    public static func chargesQuota(_ service: String, account: String) -> Bool {
        account == Account.sandboxName && CloudService.named(service)?.onServers != true
    }

    /// D9: uploaded certificates that are not shared cost one unit per pair.
    public static func isCharged(_ certificate: Certificate) -> Bool {
        certificate.source == .uploaded && !certificate.shared
    }

    /// D3.
    static func hasChineseName(_ certificate: Certificate) -> Bool { certificate.name.unicodeScalars.contains(where: isChinese) }

    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: true
        default: false
        }
    }

    /// D7 at run time: why this pair fails before the provider is asked, or nil.
    public static func failure(deploying certificate: Certificate, to resource: CloudResource, replacing old: Certificate?) -> String? {
        guard let service = CloudService.named(resource.service), service.replacementDomainRule, let old else { return nil }
        return DomainMatch.mayReplace(old: old.domains, with: certificate.domains) ? nil : "domain mismatch"
    }
}
