import CertpushCore
import Foundation

/// Reads haproxy's configuration (it has no dump like `nginx -T`): each
/// `bind ... ssl crt PATH` of a frontend or listen section is a TLS site,
/// its certificate, chain and key in that one PEM file (or each file of a
/// `crt` folder). Its names come from the certificate it holds.
public enum HAProxyConfig {
    /// The config files a host's haproxy reads: each `-f` of its command, else the default.
    public static func configFiles(command: String) -> [String] {
        let words = command.split(separator: " ").map(String.init)
        let files = zip(words, words.dropFirst()).filter { $0.0 == "-f" }.map(\.1)
        return files.isEmpty ? ["/etc/haproxy/haproxy.cfg"] : files
    }

    /// How a relative file is found (S7): `crt-base` for certificates, then
    /// `default-path` (`current`, `config`, `parent`, `origin PATH`).
    public struct Paths: Equatable {
        public var crtBase: String?
        public var defaultPath = "current"
        public var origin: String?

        public init(crtBase: String? = nil, defaultPath: String = "current", origin: String? = nil) {
            self.crtBase = crtBase
            self.defaultPath = defaultPath
            self.origin = origin
        }

        /// A certificate file or folder of a `crt` or a crt-list line, read in `file`.
        public func certificate(_ path: String, in file: String) -> String {
            guard !path.hasPrefix("/") else { return path }
            return other(crtBase.map { $0 + "/" + path } ?? path, in: file)
        }

        /// Any other file (a crt-list): `default-path` alone.
        public func other(_ path: String, in file: String) -> String {
            guard !path.hasPrefix("/") else { return path }
            let folder = (file as NSString).deletingLastPathComponent
            switch defaultPath {
            case "config": return folder + "/" + path
            case "parent": return (folder as NSString).deletingLastPathComponent + "/" + path
            case "origin": return (origin ?? "/") + "/" + path
            default: return path  // haproxy's working folder: "/" as a service starts it
            }
        }
    }

    /// The `global` section's settings that place files.
    public static func paths(in text: String) -> Paths {
        var paths = Paths(), inGlobal = false
        for (first, words, atMargin) in lines(text) {
            if atMargin { inGlobal = first == "global"; continue }
            guard inGlobal else { continue }
            if first == "crt-base", words.count > 1 { paths.crtBase = words[1] }
            if first == "default-path", words.count > 1 {
                paths.defaultPath = words[1]
                paths.origin = words.count > 2 ? words[2] : nil
            }
        }
        return paths
    }

    /// A bind's TLS: where it listens, its `crt` files or folders and its `crt-list` files, resolved.
    public struct Bind: Equatable {
        public var address: String
        public var port: Int
        public var crts: [String]
        public var crtLists: [String]

        public init(address: String, port: Int, crts: [String], crtLists: [String] = []) {
            self.address = address
            self.port = port
            self.crts = crts
            self.crtLists = crtLists
        }
    }

    /// The TLS binds of frontend and listen sections, in order, their files resolved as haproxy resolves them.
    public static func binds(in text: String, file: String = "/etc/haproxy/haproxy.cfg", paths: Paths? = nil) -> [Bind] {
        let paths = paths ?? Self.paths(in: text)
        var binds: [Bind] = []
        var inProxy = false
        for (first, words, atMargin) in lines(text) {
            if atMargin {
                // A section starts at the margin: frontend and listen sections bind.
                inProxy = first == "frontend" || first == "listen"
                continue
            }
            guard inProxy, first == "bind", words.contains("ssl"), words.count > 1 else { continue }
            var crts: [String] = [], lists: [String] = []
            for (index, word) in words.enumerated() where index + 1 < words.count {
                if word == "crt" { crts.append(paths.certificate(words[index + 1], in: file)) }
                if word == "crt-list" { lists.append(paths.other(words[index + 1], in: file)) }
            }
            guard !crts.isEmpty || !lists.isEmpty else { continue }
            for spec in words[1].split(separator: ",").map(String.init) {
                guard let colon = spec.lastIndex(of: ":"), let port = Int(spec[spec.index(after: colon)...]) else { continue }
                let address = String(spec[..<colon])
                binds.append(Bind(address: address.isEmpty ? "*" : address, port: port, crts: crts, crtLists: lists))
            }
        }
        return binds
    }

    /// A crt-list's certificates: the first word of each line that is not a
    /// comment, resolved as the config `file` that names the list resolves
    /// its own (haproxy reads both while it reads that file).
    public static func certificates(inList text: String, file: String, paths: Paths) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            guard let first = words.first, !first.hasPrefix("#") else { return nil }
            return paths.certificate(String(first), in: file)
        }
    }

    /// Each line's first word and words, and whether it starts at the margin (a section).
    static func lines(_ text: String) -> [(first: String, words: [String], atMargin: Bool)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { rawLine in
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = words.first else { return nil }
            return (first, words, !rawLine.hasPrefix(" ") && !rawLine.hasPrefix("\t"))
        }
    }
}

/// haproxy as a server certpush deploys to.
struct HAProxy: ServerSoftware {
    var server: ServerHost.Server { .haproxy }
    var tool: String { "haproxy" }
    var checkArgument: String { "-c" }
    func reload(tool: String) -> String { "systemctl reload haproxy" }

    /// haproxy: its config files read over the shell; each TLS bind's `crt`
    /// file (or each file of a `crt` folder) is a site, named by its certificate,
    /// or a catch-all when it is the bind's only one.
    func discover(_ shell: HostShell) throws -> Discovery {
        // Every file its -f options name; a -f folder is each of its *.cfg files, in order, as haproxy reads them.
        let named = HAProxyConfig.configFiles(command: shell.tool).map(ServerFiles.quoted).joined(separator: " ")
        let reading = try shell.run("""
            for f in \(named); do if [ -d "$f" ]; then for g in "$f"/*.cfg; do [ -f "$g" ] && \(ServerFiles.printing("\"$g\"")); done; \
            else \(ServerFiles.printing("\"$f\"")) || exit 1; fi; done
            """)
        guard reading.succeeded else { throw Refusal("reading its configuration failed: \(reading.failure)") }
        let configs = ServerFiles.files(in: reading.stdout)
        let paths = HAProxyConfig.paths(in: configs.map(\.text).joined(separator: "\n"))
        let found = configs.flatMap { config in HAProxyConfig.binds(in: config.text, file: config.path, paths: paths).map { ($0, config.path) } }
        // crt-list files name the certificates themselves.
        let lists = Array(Set(found.flatMap(\.0.crtLists))).sorted()
        let read = lists.isEmpty ? [:] : try ServerFiles.certificateTexts(lists, shell: shell)
        let binds = found.map { bind, file in
            var bind = bind
            bind.crts += bind.crtLists.flatMap { HAProxyConfig.certificates(inList: read[$0] ?? "", file: file, paths: paths) }
            return bind
        }
        // A crt folder holds a PEM per certificate: list it.
        var files: [String: [String]] = [:]
        for crt in Set(binds.flatMap(\.crts)) {
            let listing = try shell.run("if [ -d \(ServerFiles.quoted(crt)) ]; then find \(ServerFiles.quoted(crt)) -maxdepth 1 -type f | sort; else printf '%s\\n' \(ServerFiles.quoted(crt)); fi")
            files[crt] = listing.stdout.split(separator: "\n").map(String.init)
        }
        let texts = try ServerFiles.certificateTexts(Array(Set(files.values.joined())).sorted(), shell: shell)
        let sites = binds.flatMap { bind in
            let paths = bind.crts.flatMap { files[$0] ?? [] }
            return paths.map { path in
                let text = texts[path] ?? ""
                // S9: a bind's only certificate is its default, served whatever name is asked: a catch-all.
                return ServerSite(host: shell.host.name, address: bind.address, port: bind.port,
                                  serverNames: paths.count == 1 ? [] : Fingerprint.domainsOfFirstCertificate(inPEM: text),
                                  certificatePath: path, keyPath: path, servedFingerprint: Fingerprint.ofFirstCertificate(inPEM: text))
            }
        }
        return Discovery(sites: sites, files: configs.map(\.path))
    }
}
