import CertpushServers
import Foundation

/// A real OpenSSH server on a loopback port (SPEC 13, S6): a host key made
/// for the test, an authorized key made for the test, and an ssh_config the
/// client uses through CERTPUSH_SSH_CONFIG. Started and stopped by the
/// process id the test started.
public final class SSHFixture {
    public let directory = TemporaryDirectory()
    public let port = NginxFixture.freePort()
    public private(set) var pid: pid_t?

    public static let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let keygen = ["/usr/bin/ssh-keygen", "/bin/ssh-keygen"].first { FileManager.default.isExecutableFile(atPath: $0) }

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public init() {}

    /// The ssh_config certpush's ssh uses: this server's port, the test's key and known_hosts.
    public var clientConfig: String { directory.path("ssh_config") }
    /// An ssh_config that expects another host key for this server.
    public var wrongHostKeyConfig: String { directory.path("ssh_config_wrong_host_key") }
    /// What an account's `ssh` says to reach this server as the current user.
    public var destination: String { "\(NSUserName())@127.0.0.1" }

    public func start() throws {
        guard let sshd = Self.sshd, let keygen = Self.keygen else { throw Failure(description: "OpenSSH is not installed: .ci/run installs it") }
        for (name, type) in [("host_key", "ed25519"), ("user_key", "ed25519")] {
            let made = try Shell.run(keygen, ["-q", "-t", type, "-N", "", "-f", directory.path(name)])
            guard made.status == 0 else { throw Failure(description: "ssh-keygen: \(made.stderr)") }
        }
        // Only the current user's key is authorized: any other user is refused.
        try FileManager.default.copyItem(atPath: directory.path("user_key.pub"), toPath: directory.path("authorized_keys_\(NSUserName())"))
        let hostKey = try String(contentsOfFile: directory.path("host_key.pub"), encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(port) \(hostKey)\n".write(toFile: directory.path("known_hosts"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory.path("host_key"))
            PidFile \(directory.path("sshd.pid"))
            AuthorizedKeysFile \(directory.path("authorized_keys_%u"))
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            LogLevel ERROR
            """.write(toFile: directory.path("sshd_config"), atomically: true, encoding: .utf8)
        try """
            Host 127.0.0.1
                Port \(port)
                IdentityFile \(directory.path("user_key"))
                IdentitiesOnly yes
                UserKnownHostsFile \(directory.path("known_hosts"))
                StrictHostKeyChecking yes
            """.write(toFile: clientConfig, atomically: true, encoding: .utf8)
        // The same, but knowing another key for this server: what a changed or spoofed host looks like.
        let otherKey = try Shell.run(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", directory.path("other_host_key")])
        guard otherKey.status == 0 else { throw Failure(description: "ssh-keygen: \(otherKey.stderr)") }
        let other = try String(contentsOfFile: directory.path("other_host_key.pub"), encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(port) \(other)\n".write(toFile: directory.path("wrong_known_hosts"), atomically: true, encoding: .utf8)
        try (try String(contentsOfFile: clientConfig, encoding: .utf8)).replacingOccurrences(of: directory.path("known_hosts"), with: directory.path("wrong_known_hosts"))
            .write(toFile: wrongHostKeyConfig, atomically: true, encoding: .utf8)
        pid = try Daemon.start(sshd, ["-D", "-e", "-f", directory.path("sshd_config")], log: directory.path("sshd.log"), port: port)
    }

    deinit { stop() }

    public func stop() {
        pid.map { Daemon.stop($0) }
        pid = nil
    }
}
