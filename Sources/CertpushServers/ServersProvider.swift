import CertpushCore
import Foundation

/// The driver of a `servers` account (SPEC 13). It deploys to TLS sites:
/// the files are written beside their targets (the key 0600, never on a
/// command line), the old ones kept as a backup, then the server's check,
/// its reload, and the proof by a TLS handshake; any failure puts the backup
/// back, reloads, and fails with the server's own words. It reads each
/// host's sites (S1) and proves what each serves (S5). What it keeps of a
/// site (its files, what it served) is in the site table, its own.
public struct ServersProvider: Deployer, Inventory, Verifier {
    public let account: Account
    public let store: any Store
    public var timeLimit: TimeInterval = 30
    /// How long the proof waits for the new certificate to be served (S2: 10 s).
    public var proofTime: TimeInterval = 10

    public init(account: Account, store: any Store) {
        self.account = account
        self.store = store
    }

    public var actions: AccountActions { AccountActions(deployer: self, inventory: self, verifier: self) }

    /// S11: hosts at once (`parallel`, 10 unless the config says); one host's sites go in order.
    public var parallel: Int { account.parallel }
    /// S11: the first `canary` hosts, in the account's order, go first.
    public var lanes: [String] { account.hosts.map(\.name) }
    public var canary: Int { account.canary }

    /// What a deployment writes and proves: the full chain, the key, and the fingerprint.
    struct Material {
        var chain: String
        var key: String
        var fingerprint: String

        init(_ material: CertificateMaterial) throws {
            guard let chain = material.fullChainPEM else { throw ProviderFailure("\(material.certificate.id) has no certificate to deploy") }
            self.chain = chain
            key = try material.key(for: "a server")
            fingerprint = material.certificate.fingerprint
        }
    }

    func site(of resource: CloudResource) throws -> (site: ServerSite, shell: HostShell) {
        guard let site = try store.read({ try $0.serverSite(resource.id) }) else {
            throw ProviderFailure("\(resource.id) is not a site certpush found on a server; synchronize \(account.name) again")
        }
        guard let host = account.hosts.first(where: { $0.name == site.host }) else {
            throw ProviderFailure("host \(site.host) is no longer in the \(account.name) account of config.toml")
        }
        return (site, HostShell(host: host, timeLimit: timeLimit, controlFolder: HostShell.sharedConnections))
    }

    // MARK: Deployer

    /// S2: deploys the certificate to the site and proves it is served
    /// there and (S8) on every site that loads the same file.
    public func bind(_ material: CertificateMaterial, to resource: CloudResource) throws {
        let (site, shell) = try site(of: resource)
        let files = try Material(material)
        let siblings = try sharingFile(with: resource)
        try SiteDeployment(shell: shell, site: site, proofTime: proofTime).install(files, alsoProving: siblings.map(\.site))
        try store.write { db in
            for id in [resource.id] + siblings.map(\.id) { try db.setServedFingerprint(files.fingerprint, on: id) }
        }
    }

    /// S8: the other sites of the host that load this resource's certificate file.
    func sharingFile(with resource: CloudResource) throws -> [(id: ResourceID, site: ServerSite)] {
        try store.read { db in
            try (db.sitesSharingFile(with: [resource.id])[resource.id] ?? []).compactMap { other in
                try db.serverSite(other.id).map { (other.id, $0) }
            }
        }
    }

    /// S3: puts the previous certificate back (or, when certpush never knew it, the backup files) and proves it.
    public func rollBack(_ resource: CloudResource, to previous: CertificateMaterial?) throws {
        let (site, shell) = try site(of: resource)
        let deployment = SiteDeployment(shell: shell, site: site, proofTime: proofTime)
        let fingerprint: String
        if let previous {
            let files = try Material(previous)
            try deployment.install(files)
            fingerprint = files.fingerprint
        } else {
            fingerprint = try deployment.restoreBackup()
        }
        try store.write { db in try db.setServedFingerprint(fingerprint, on: resource.id) }
    }

    /// The certificate the site serves now, made to be what its files hold.
    ///
    /// This is how the engine learns the truth of an action a dead process
    /// left at intent (R3). A process killed inside a deployment may leave
    /// staged files, files the server has not loaded, or a reload still under
    /// way: `settle` removes what was staged, puts the backup back where the
    /// server refuses the files, reloads and proves by handshake, so that
    /// what is on disk, what is served and what is recorded agree (S10).
    public func served(on resource: CloudResource) throws -> String? {
        let (site, shell) = try site(of: resource)
        return try SiteDeployment(shell: shell, site: site, proofTime: proofTime).settle()
    }

    // MARK: Inventory

    /// D16 and S1: each host is asked what it serves; a host that fails is
    /// reported and keeps its resources as they were, the others go on.
    public func observe() throws -> Observation {
        Observation(account.hosts.map { host in
            do {
                let found = try host.server.software.discover(HostShell(host: host, timeLimit: timeLimit))
                return .sites(host: host.name, service: host.server.rawValue, files: found.files, found.sites)
            } catch {
                return .unreadable(host: host.name, cause: (error as? CertpushError)?.sentence ?? "\(error)")
            }
        })
    }

    // MARK: Verifier

    /// S5: handshakes with each site, one at a time, no transaction open.
    public func verify(_ resources: [CloudResource]) throws -> [SiteVerification] {
        let known: [(CloudResource, ServerSite, expected: String?)] = try store.read { db in
            try resources.compactMap { resource in
                guard let site = try db.serverSite(resource.id) else { return nil }
                return (resource, site, try resource.certificateID.flatMap { try db.certificate($0)?.fingerprint } ?? site.servedFingerprint)
            }
        }
        return try known.map { resource, site, expectedFingerprint in
            let expected = resource.certificateID?.description ?? site.servedFingerprint.map { String($0.prefix(16)) + "…" } ?? "-"
            do {
                let fingerprint = try TLSProbe.servedFingerprint(address: site.connectAddress, port: site.port, serverName: site.probeName,
                                                                 timeLimit: 5)
                let id = try store.read { try $0.certificate(fingerprint: fingerprint)?.id }
                return SiteVerification(resource: resource.id, name: resource.name, served: id?.description ?? String(fingerprint.prefix(16)) + "…",
                                        expected: expected, ok: fingerprint == expectedFingerprint)
            } catch let failure as TLSProbe.Failure {
                return SiteVerification(resource: resource.id, name: resource.name, served: failure.description, expected: expected, ok: false)
            }
        }
    }
}

/// The steps on one site, in the order S2 gives them, with its files kept
/// where the server never loads them (S10): the new files are staged, and
/// the old ones backed up, in certpush's state folder on the host; a new
/// file enters the site's folder only as `NAME.certpush-new`, renamed onto
/// the target in the same command.
struct SiteDeployment {
    let shell: HostShell
    let site: ServerSite
    let proofTime: TimeInterval

    static let newSuffix = ".certpush-new"
    static let proofsInARow = 3
    /// certpush's folder on the host, as the host's shell spells it.
    static let stateFolder = "\"${XDG_STATE_HOME:-$HOME/.local/state}/certpush\""

    /// One PEM with chain and key (haproxy), rather than a certificate file and a key file (nginx).
    var combined: Bool { site.certificatePath == site.keyPath }
    /// The site's files: the certificate's, then the key's when it has its own.
    var paths: [String] { combined ? [site.certificatePath] : [site.certificatePath, site.keyPath] }

    static func quoted(_ path: String) -> String { ServerFiles.quoted(path) }
    /// A site's file in the state folder: its whole path in one name.
    static func stateName(_ path: String) -> String { quoted(path.replacingOccurrences(of: "/", with: "%")) }
    func staged(_ path: String) -> String { "\"$S\"/staged/" + Self.stateName(path) }
    func backup(_ path: String) -> String { "\"$S\"/backup/" + Self.stateName(path) }

    /// File work as the server's tool runs (with `sudo -n` when its command does), in the state folder.
    func privileged(_ body: String) -> String {
        let script = "S=\(Self.stateFolder); umask 077; mkdir -p \"$S/staged\" \"$S/backup\" && \(body)"
        return shell.host.command?.hasPrefix("sudo ") == true ? "sudo -n sh -c \(ServerFiles.quoted(script))" : script
    }

    func run(_ body: String, input: String = "", step: String) throws {
        let output = try shell.run(privileged(body), input: Data(input.utf8))
        guard output.succeeded else { throw ProviderFailure("\(step) failed: \(output.failure)") }
    }

    func run(capturing body: String) throws -> String {
        let output = try shell.run(privileged(body))
        guard output.succeeded else { throw ProviderFailure("reading \(site.certificatePath) failed: \(output.failure)") }
        return output.stdout
    }

    /// Puts each (source, target) into place: copied beside its target, then
    /// renamed onto it, so the server never reads half a file; a key stays 0600.
    func placing(_ moves: [(source: String, target: String)]) -> String {
        moves.map { move in
            let target = Self.quoted(move.target), next = Self.quoted(move.target + Self.newSuffix)
            let mode = move.target == site.keyPath ? "600" : "644"
            return "cp \(move.source) \(next) && chmod \(mode) \(next) && mv -f \(next) \(target)"
        }.joined(separator: " && ")
    }

    /// Stage, back up, move into place, check, reload, prove; any failure after the move restores the backup.
    func install(_ material: ServersProvider.Material, alsoProving siblings: [ServerSite] = []) throws {
        if combined {
            try run("cat > \(staged(site.certificatePath))", input: material.chain + material.key, step: "writing the certificate and key")
        } else {
            try run("cat > \(staged(site.certificatePath))", input: material.chain, step: "writing the certificate")
            try run("cat > \(staged(site.keyPath))", input: material.key, step: "writing the key")
        }
        let backups = paths.map { "cp -p \(Self.quoted($0)) \(backup($0))" }.joined(separator: " && ")
        try run(backups + " && " + placing(paths.map { (staged($0), $0) }) + " && rm -f " + paths.map(staged).joined(separator: " "),
                step: combined ? "moving the new file into place" : "moving the new files into place")
        do {
            try check()
        } catch let failure as ProviderFailure {
            // Nothing was reloaded: the old files back in place is all it takes.
            let restored = (try? restoreFiles()) != nil
            throw ProviderFailure(failure.cause + (restored ? "; the previous files are back and still served" : "; putting the previous files back failed too"))
        }
        do {
            try reload()
            try prove(material.fingerprint, asking: proofName(forPEM: material.chain))
            for sibling in siblings.map({ SiteDeployment(shell: shell, site: $0, proofTime: proofTime) }) {
                try sibling.prove(material.fingerprint, asking: sibling.proofName(forPEM: material.chain))
            }
        } catch let failure as ProviderFailure {
            // The old files go back and are served again before the pair fails.
            throw ProviderFailure(failure.cause + "; " + putBack())
        }
    }

    /// After a failed reload or proof: the previous files back, reloaded; what happened, in words.
    func putBack() -> String {
        do { try restoreFiles() } catch { return "putting the previous files back failed too: \((error as? ProviderFailure)?.cause ?? "\(error)")" }
        do { try reload() } catch {
            return "the previous files are back, but reloading them failed too: \((error as? ProviderFailure)?.cause ?? "\(error)")"
        }
        return "the previous certificate is back"
    }

    /// S3 without a known previous certificate: the backup files go back, then check, reload, prove.
    func restoreBackup() throws -> String {
        let backup = try backupText()
        guard Fingerprint.ofFirstCertificate(inPEM: backup) != nil else {
            throw ProviderFailure("there is no backup of \(site.certificatePath) to put back")
        }
        try restoreFiles()
        try check()
        return try reloadProving(backup)
    }

    /// Reloads, then proves the certificate `pem` starts with is served; its SHA-256.
    func reloadProving(_ pem: String) throws -> String {
        try reload()
        guard let fingerprint = Fingerprint.ofFirstCertificate(inPEM: pem) else { throw ProviderFailure("\(site.certificatePath) holds no certificate") }
        try prove(fingerprint, asking: proofName(forPEM: pem))
        return fingerprint
    }

    func restoreFiles() throws {
        try run(placing(paths.map { (backup($0), $0) }), step: "putting the previous files back")
    }

    /// S9: the name a proof asks for: the site's, or for a site that answers
    /// any name, the certificate's first (a wildcard's with a label before it).
    func proofName(forPEM pem: String) -> String {
        guard site.answersAnyName else { return site.domain }
        let first = Fingerprint.domainsOfFirstCertificate(inPEM: pem).first ?? site.probeName
        return first.hasPrefix("*.") ? "certpush-proof" + first.dropFirst() : first
    }

    /// S10, after a process died inside a deployment or a roll back: no
    /// staged file is left; files the server refuses (a certificate moved,
    /// its key not) give way to the backup; then the server reloads what is
    /// on disk and the handshake proves it, so what is served is what the
    /// files hold. Returns that certificate's SHA-256.
    func settle() throws -> String? {
        try run("rm -f " + paths.flatMap { [staged($0), Self.quoted($0 + Self.newSuffix)] }.joined(separator: " "), step: "removing staged files")
        do {
            try check()
        } catch {
            guard try backupFingerprint() != nil else { throw error }
            try restoreFiles()
            try check()
        }
        return try reloadProving(try run(capturing: "cat -- \(Self.quoted(site.certificatePath))"))
    }

    /// The server's own check of its configuration with the new files (`nginx -t`, `haproxy -c`, `apachectl -t`).
    func check() throws {
        let flag = shell.host.server.software.checkArgument
        let output = try shell.run(shell.tool + " " + flag)
        guard output.succeeded else { throw ProviderFailure("\(shell.host.server.rawValue) \(flag) refused it: \(output.failure)") }
    }

    func reload() throws {
        let command = shell.host.reload ?? defaultReload
        let output = try shell.run(command)
        guard output.succeeded else { throw ProviderFailure("the reload failed: \(output.failure)") }
    }

    /// The server's own reload when the config names none.
    var defaultReload: String { shell.host.server.software.reload(tool: shell.tool) }

    /// Handshakes must serve `fingerprint` within `proofTime`, three times in
    /// a row: a reload finishes in the background, and until the old workers
    /// have let go of the port one of them may still answer.
    func prove(_ fingerprint: String, asking name: String) throws {
        let deadline = Date().addingTimeInterval(proofTime)
        var last = "nothing was served", inARow = 0
        repeat {
            do {
                let served = try TLSProbe.servedFingerprint(address: site.connectAddress, port: site.port, serverName: name, timeLimit: 3)
                if served == fingerprint {
                    inARow += 1
                    if inARow == Self.proofsInARow { return }
                    Thread.sleep(forTimeInterval: 0.05)
                    continue
                }
                last = "\(name):\(site.port) still serves \(served.prefix(16))…"
            } catch let failure as TLSProbe.Failure {
                last = failure.description
            }
            inARow = 0
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        throw ProviderFailure("the proof failed: \(last)")
    }

    /// The backup's certificate, or nil when there is no backup.
    func backupFingerprint() throws -> String? { Fingerprint.ofFirstCertificate(inPEM: try backupText()) }

    /// The backup of the certificate file, or nothing when there is none.
    func backupText() throws -> String {
        try run(capturing: "cat -- \(backup(site.certificatePath)) 2>/dev/null || true")
    }
}
