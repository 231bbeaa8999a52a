import Foundation

/// Where resources live and who acts on them (SPEC 10): the training
/// sandbox, servers over SSH, or a cloud account. Every resource belongs to
/// one account, by name.
public struct Account: Sendable, Equatable {
    /// What an account is, as `kind = "..."` names it in config.toml. The
    /// kinds there are, and what each can do, are CertpushSetup's registry
    /// of drivers (`AccountDrivers.all`); the core knows only the sandbox.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        /// What a person calls it ("Huawei Cloud SCM").
        public let title: String

        public init(rawValue: String) { self.init(rawValue, title: rawValue) }
        public init(_ rawValue: String, title: String) {
            self.rawValue = rawValue
            self.title = title
        }

        public static func == (left: Kind, right: Kind) -> Bool { left.rawValue == right.rawValue }
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
        public var description: String { rawValue }

        public static let sandbox = Kind("sandbox", title: "training sandbox")
    }

    public var name: String
    public var kind: Kind
    /// The servers of a `servers` account.
    public var hosts: [ServerHost]
    /// A cloud account's regions, when the config narrows them.
    public var regions: [String]
    /// A cloud account's API endpoint, when the config overrides it (R2).
    public var endpoint: String?
    /// The names (never the values) of the environment variables or
    /// credentials.toml keys that hold a cloud account's keys (R1).
    public var credentialNames: [String: String]
    /// A cloud call's time limit in seconds, when the config sets one (R4: 30 by default).
    public var timeLimit: Double?
    /// H5: a Huawei Cloud account's domain id, when the config names it.
    public var domainID: String?
    /// H5: where a Huawei Cloud account's domain id is looked up, when the config overrides IAM's endpoint (R2).
    public var identityEndpoint: String?
    /// How often a CAS job's workers are read, when the config sets it.
    public var pollInterval: Double?
    /// S11: how many of a servers account's hosts a task works on at once.
    public var parallel = 10
    /// S11: how many of its first hosts go first; 0: none.
    public var canary = 0

    public init(name: String, kind: Kind, hosts: [ServerHost] = [], regions: [String] = [], endpoint: String? = nil,
                credentialNames: [String: String] = [:]) {
        self.name = name
        self.kind = kind
        self.hosts = hosts
        self.regions = regions
        self.endpoint = endpoint
        self.credentialNames = credentialNames
    }

    /// The account the training sandbox's resources belong to.
    public static let sandboxName = "sandbox"
    public static let sandbox = Account(name: sandboxName, kind: .sandbox)

    /// Account names are what `--account` takes and what lists show: short, no spaces.
    public static func nameProblem(_ name: String) -> String? {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard !name.isEmpty, name.count <= 32, name.unicodeScalars.allSatisfy(allowed.contains) else {
            return "\"\(DisplayText.neutralized(name))\" is not an account name: use 1 to 32 letters, digits, '-', '_' or '.'"
        }
        return nil
    }
}

/// One server of a `servers` account (SPEC 13).
public struct ServerHost: Sendable, Equatable {
    /// The server software it runs, as `server = "..."` names it; the kinds
    /// there are, and how each is read and reloaded, are CertpushServers'
    /// registry (`ServerSoftware.all`).
    public struct Server: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let nginx = Server(rawValue: "nginx")
        public static let haproxy = Server(rawValue: "haproxy")
        public static let apache = Server(rawValue: "apache")
        /// The servers certpush knows, each a service of the catalog; the list
        /// that names a new one (its driver is CertpushServers' `ServerSoftware`).
        public static let all: [Server] = [.nginx, .haproxy, .apache]
    }

    public var name: String
    /// What `ssh` takes (`deploy@web1.example.com`, a Host of ~/.ssh/config), or "local" for this host.
    public var ssh: String
    public var server: Server
    /// How to call the server's own tool; certpush adds its arguments (`nginx -T`).
    public var command: String?
    /// How to reload it; the tool's own reload when nil.
    public var reload: String?

    /// S12: seconds for ssh to connect, over the user's ssh_config and certpush's own.
    public var connectTimeout: Int?
    public init(name: String, ssh: String, server: Server, command: String? = nil, reload: String? = nil) {
        self.name = name
        self.ssh = ssh
        self.server = server
        self.command = command
        self.reload = reload
    }

    public var isLocal: Bool { ssh == "local" }
}

/// R2: an endpoint is https, or http only on a loopback address.
public enum EndpointRule {
    public static func problem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "endpoint \"\(DisplayText.neutralized(text))\" is not a URL"
        }
        switch scheme {
        case "https": return nil
        case "http":
            let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
            return loopback ? nil : "endpoint \(DisplayText.neutralized(text)) is http: only a loopback address may be, every other must be https"
        default:
            return "endpoint \(DisplayText.neutralized(text)) must be https"
        }
    }
}

/// A TLS site found on a server (S1), as certpush keeps it beside its resource.
public struct ServerSite: Sendable, Equatable {
    public var host: String
    /// The listen address ("*" for every address) and port.
    public var address: String
    public var port: Int
    public var serverNames: [String]
    public var certificatePath: String
    public var keyPath: String
    /// SHA-256 of the certificate file's first certificate at the last synchronization.
    public var servedFingerprint: String?
    /// S7: why certpush cannot deploy to it (its file is chosen at run time,
    /// or cannot be read): listed with this, never deployed to.
    public var problem: String?

    public init(host: String, address: String, port: Int, serverNames: [String], certificatePath: String, keyPath: String,
                servedFingerprint: String?, problem: String? = nil) {
        self.problem = problem
        self.host = host
        self.address = address
        self.port = port
        self.serverNames = serverNames
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.servedFingerprint = servedFingerprint
    }

    /// The first real server name, else a wildcard one: what the certificate
    /// must cover; a site with neither answers any name (S9: `*`).
    public var domain: String { Self.domain(names: serverNames, address: address) }

    public static func domain(names: [String], address: String) -> String {
        let named = names.filter { !$0.isEmpty && $0 != "_" && !$0.hasPrefix("~") }
        return named.first { !$0.contains("*") } ?? named.first ?? CloudResource.anyName
    }

    /// S9: a site that answers any name.
    public var answersAnyName: Bool { domain == CloudResource.anyName }

    /// The name a handshake asks for when no certificate says which: the site's, or one no site is named.
    public var probeName: String { answersAnyName ? "any-name.certpush.invalid" : domain }

    /// Where to connect for the proof: the listen address, or loopback for every address.
    public var connectAddress: String { Self.connectAddress(address) }

    public static func connectAddress(_ address: String) -> String {
        switch address {
        case "*", "0.0.0.0", "": "127.0.0.1"
        case "[::]", "::": "::1"
        default: address.hasPrefix("[") ? String(address.dropFirst().dropLast()) : address
        }
    }

    /// "www.example.com:443", or with the address when it is not every address.
    public var resourceName: String { (address == "*" ? domain : "\(domain)@\(address)") + ":\(port)" }
}
