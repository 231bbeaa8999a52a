import Foundation

/// D16: what resources an account has, read from where they live by its
/// driver's inventory (no transaction open, R3), then committed here in one.
extension DeploymentService {
    /// Reads the account's resources again; one sentence of what was found,
    /// and whether a part of it (a host) could not be read.
    public func synchronize(_ account: Account) throws -> (sentence: String, failed: Bool) {
        guard let inventory = drivers.byAccount[account.name]?.inventory else {
            return ("\(account.name): a \(account.kind.title) account takes pushes; it has no resources to read.", false)
        }
        return try record(try inventory.observe(), of: account.name)
    }

    /// Commits what an inventory saw: certificates it holds that certpush did
    /// not know (kept without their key, so that D6 and D7 see what a
    /// deployment would replace), each part's resources, the activity line
    /// and the time of this synchronization.
    @discardableResult
    public func record(_ observation: Observation, of account: String) throws -> (sentence: String, failed: Bool) {
        let now = time.now()
        let words = observation.parts.map { part -> String in
            switch part {
            case .sites(let host, _, let files, let sites): "\(host): \(Words.count(sites.count, "TLS site")) \(Self.read(files))"
            case .resources(let resources): Words.count(resources.count, "resource")
            case .unreadable(let host, let cause): "\(host): \(cause)"
            case .kept(let count): Words.count(count, "resource")
            }
        }
        let sentence = "\(account): " + words.joined(separator: "; ") + "."
        try store.write { db in
            for seen in observation.certificates { try adopt(seen, in: db, now: now) }
            for part in observation.parts {
                switch part {
                case .sites(let host, let service, _, let sites): _ = try db.replaceServerSites(account: account, service: service, host: host, with: sites)
                case .resources(let resources): _ = try db.replaceCloudResources(account: account, with: resources)
                case .unreadable, .kept: break
                }
            }
            try db.append(ActivityEntry(at: now, user: user, action: "resources.sync", subject: account, detail: words.joined(separator: "; ")))
            try db.setValue(ISOTime.string(now), forKey: Self.lastSyncKey(account))
        }
        let failed = observation.parts.contains { if case .unreadable = $0 { true } else { false } }
        return (sentence, failed)
    }

    /// Where a host's sites were looked for: "in /etc/nginx/nginx.conf and 3 other files".
    static func read(_ files: [String]) -> String {
        guard let main = files.first else { return "(no configuration file read)" }
        let more = files.count - 1
        return "in \(DisplayText.neutralized(main))" + (more > 0 ? " and \(Words.count(more, "other file"))" : "")
    }

    /// One observed certificate kept without its key, unless certpush has it or cannot read it.
    private func adopt(_ seen: ObservedCertificate, in db: any StoreWriter, now: Date) throws {
        let request = ImportRequest(certificate: InputFile(name: "\(seen.name).pem", bytes: Array(seen.pem.utf8)), name: seen.name)
        guard let draft = try? CertificateImporter.draft(request, now: now),
              try db.certificate(fingerprint: draft.certificate.fingerprint) == nil else { return }
        let id = try db.insert(draft)
        try db.append(ActivityEntry(at: now, user: user, action: "certificate.import", subject: id.description,
                                    detail: "\(DisplayText.neutralized(seen.name)), held by \(seen.seenAt)"))
    }
}
