import CertpushCore
import Foundation

/// What certpush needs to know of one server software (SPEC 13): how its
/// tool is called, how it checks and reloads its configuration, and how its
/// TLS sites are read over the shell. Each lives in its own file (nginx in
/// NginxConfig.swift, ...); `ServerHost.Server.software` is the registry.
public protocol ServerSoftware: Sendable {
    /// The name config.toml's `server = "..."` gives, one of `ServerHost.Server.all`.
    var server: ServerHost.Server { get }
    /// Its tool's plain name, when the config names no `command`: "nginx", "apachectl".
    var tool: String { get }
    /// The argument that checks the configuration without applying it: "-t".
    var checkArgument: String { get }
    /// Its own reload, given its tool as the config calls it.
    func reload(tool: String) -> String
    /// The host's TLS sites, each with the SHA-256 of the certificate its
    /// file holds now, and the configuration files read to find them.
    func discover(_ shell: HostShell) throws -> Discovery
}

/// What a server's configuration showed: its TLS sites, and the files read
/// (the main one first), so that "0 TLS sites" says where certpush looked.
public struct Discovery: Sendable {
    public var sites: [ServerSite]
    public var files: [String]
}

extension ServerSoftware {
    public var checkArgument: String { "-t" }
}

extension ServerHost.Server {
    /// The drivers of the servers certpush knows.
    static let software: [any ServerSoftware] = [Nginx(), HAProxy(), Apache()]

    /// This server's driver. Config refuses a name with none, so there is always one.
    public var software: any ServerSoftware {
        guard let found = Self.software.first(where: { $0.server == self }) else {
            preconditionFailure("\(rawValue) is in ServerHost.Server.all but has no ServerSoftware")
        }
        return found
    }
}
