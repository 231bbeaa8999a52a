import CertpushCore
import Foundation

/// D16 and S1 for a `servers` account: each host is asked what it serves
/// (outside any transaction, R3), then its sites replace its resources in
/// one transaction. A host that fails is reported and leaves its resources
/// as they were; the others go on.
public struct ServersSync: Sendable {
    public let account: Account
    public let store: any Store
    public var timeLimit: TimeInterval = 30

    public init(account: Account, store: any Store, timeLimit: TimeInterval = 30) {
        self.account = account
        self.store = store
        self.timeLimit = timeLimit
    }

    public struct HostOutcome: Sendable, Equatable {
        public var host: String
        /// How many sites it serves; nil when it could not be read.
        public var sites: Int?
        public var failure: String?

        public var sentence: String {
            if let failure { return "\(host): \(failure)" }
            return "\(host): \(Words.count(sites ?? 0, "TLS site"))"
        }
    }

    public func synchronize(now: Date, user: String) throws -> [HostOutcome] {
        var outcomes: [HostOutcome] = []
        for host in account.hosts {
            let shell = HostShell(host: host, timeLimit: timeLimit)
            do {
                let sites = try Self.discover(shell)
                try store.write { db in
                    try db.replaceServerSites(account: account.name, service: host.server.rawValue, host: host.name, with: sites)
                }
                outcomes.append(HostOutcome(host: host.name, sites: sites.count))
            } catch {
                outcomes.append(HostOutcome(host: host.name, failure: (error as? CertpushError)?.sentence ?? "\(error)"))
            }
        }
        try store.write { db in
            try db.append(ActivityEntry(at: now, user: user, action: "resources.sync", subject: account.name,
                                        detail: outcomes.map(\.sentence).joined(separator: "; ")))
            try db.setValue(ISOTime.string(now), forKey: DeploymentService.lastSyncKey(account.name))
        }
        return outcomes
    }

    /// The host's TLS sites, each with the SHA-256 of the certificate its file holds now.
    static func discover(_ shell: HostShell) throws -> [ServerSite] {
        let host = shell.host
        switch host.server {
        case .nginx: break
        case .haproxy: return try discoverHAProxy(shell)
        case .apache: return try discoverApache(shell)
        }
        let dump = try shell.run(shell.tool + " -T")
        guard dump.succeeded else { throw Refusal("\(shell.tool) -T failed: \(dump.failure)") }
        let sites: [ServerSite]
        do { sites = try NginxConfig.sites(fromDump: dump.stdout, host: host.name) } catch let error as NginxConfig.ParseError {
            throw Refusal("its configuration could not be read: \(error.description)")
        }
        return try withServedFingerprints(sites, shell: shell)
    }

    /// haproxy: its config files read over the shell; each TLS bind's `crt`
    /// file (or each file of a `crt` folder) is a site, named by its certificate.
    static func discoverHAProxy(_ shell: HostShell) throws -> [ServerSite] {
        var binds: [(address: String, port: Int, crts: [String])] = []
        for file in HAProxyConfig.configFiles(command: shell.tool) {
            let text = try shell.run("cat -- \(quoted(file))")
            guard text.succeeded else { throw Refusal("reading \(file) failed: \(text.failure)") }
            binds += HAProxyConfig.binds(in: text.stdout)
        }
        // A crt folder holds a PEM per certificate: list it.
        var files: [String: [String]] = [:]
        for crt in Set(binds.flatMap(\.crts)) {
            let listing = try shell.run("if [ -d \(quoted(crt)) ]; then find \(quoted(crt)) -maxdepth 1 -type f | sort; else printf '%s\\n' \(quoted(crt)); fi")
            files[crt] = listing.stdout.split(separator: "\n").map(String.init)
        }
        let paths = Array(Set(files.values.joined())).sorted()
        let texts = try certificateTexts(paths, shell: shell)
        return binds.flatMap { bind in
            bind.crts.flatMap { files[$0] ?? [] }.map { path in
                let text = texts[path] ?? ""
                return ServerSite(host: shell.host.name, address: bind.address, port: bind.port,
                                  serverNames: Fingerprint.domainsOfFirstCertificate(inPEM: text), certificatePath: path, keyPath: path,
                                  servedFingerprint: Fingerprint.ofFirstCertificate(inPEM: text))
            }
        }
    }

    /// apache: its main config and every file it includes, read over the
    /// shell (globs expanded there); each TLS virtual host is a site.
    static func discoverApache(_ shell: HostShell) throws -> [ServerSite] {
        let main = ApacheConfig.mainFile(command: shell.tool)
        let first = try shell.run("cat -- \(quoted(main))")
        guard first.succeeded else { throw Refusal("reading \(main) failed: \(first.failure)") }
        let root = ApacheConfig.serverRoot(in: first.stdout) ?? (main as NSString).deletingLastPathComponent
        var texts = [first.stdout], read = Set([main]), pending = ApacheConfig.includes(in: first.stdout, serverRoot: root)
        var rounds = 0
        while !pending.isEmpty, rounds < 16 {
            rounds += 1
            let patterns = pending
            pending = []
            for pattern in patterns {
                // The shell expands the glob, as apache would; each file after a line naming it.
                let script = "for f in \(pattern.replacingOccurrences(of: " ", with: "\\ ")); do if [ -f \"$f\" ]; then printf '%s %s\\n' \(fileMarker) \"$f\"; cat -- \"$f\"; fi; done"
                for file in files(in: try shell.run(script).stdout) where read.insert(file.path).inserted {
                    texts.append(file.text)
                    pending += ApacheConfig.includes(in: file.text, serverRoot: root)
                }
            }
        }
        return try withServedFingerprints(ApacheConfig.sites(in: texts, host: shell.host.name, serverRoot: root), shell: shell)
    }

    /// The sites, each with the SHA-256 of the certificate its file holds now.
    static func withServedFingerprints(_ sites: [ServerSite], shell: HostShell) throws -> [ServerSite] {
        let texts = try certificateTexts(Array(Set(sites.map(\.certificatePath))).sorted(), shell: shell)
        return sites.map { site in
            var site = site
            site.servedFingerprint = texts[site.certificatePath].flatMap(Fingerprint.ofFirstCertificate(inPEM:))
            return site
        }
    }

    /// The line that comes before each file a command prints: "==certpush-file== PATH".
    static let fileMarker = "==certpush-file=="

    /// The files a command printed, each after its marker line, in order.
    static func files(in output: String) -> [(path: String, text: String)] {
        var found: [(path: String, text: String)] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(fileMarker + " ") {
                found.append((String(line.dropFirst(fileMarker.count + 1)), ""))
            } else if !found.isEmpty {
                found[found.count - 1].text += line + "\n"
            }
        }
        return found
    }

    /// Every file's text read in one command, each after a line naming it.
    static func certificateTexts(_ paths: [String], shell: HostShell) throws -> [String: String] {
        guard !paths.isEmpty else { return [:] }
        let reader = shell.host.command?.hasPrefix("sudo ") == true ? "sudo -n cat" : "cat"
        let script = paths.map { "printf '%s %s\\n' \(fileMarker) \(quoted($0)); \(reader) -- \(quoted($0)) 2>&1" }.joined(separator: "; ")
        return Dictionary(files(in: try shell.run(script).stdout), uniquingKeysWith: { _, last in last })
    }

    /// A word for /bin/sh, whatever it holds.
    public static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
