import CertpushServers
import Foundation

/// A real nginx in a temporary folder (SPEC 13, S6): its config, its
/// certificate files and, when started, its process on loopback ports.
/// Started by the test and stopped by the process id it started.
public final class NginxFixture {
    public let directory = TemporaryDirectory()
    public private(set) var pid: pid_t?

    /// The system's nginx, which `.ci/run` installs.
    public static let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }

    public struct Site {
        public var names: [String]
        public var port: Int
        public var certificate: String
        public var key: String
        public init(names: [String], port: Int, certificate: String, key: String) {
            self.names = names
            self.port = port
            self.certificate = certificate
            self.key = key
        }
    }

    public init() {}

    public var configPath: String { directory.path("nginx.conf") }

    /// How certpush calls this nginx's tool: a config account's `command`.
    public var command: String {
        "\(Self.binary ?? "nginx") -e \(directory.path("error.log")) -c \(configPath) -p \(directory.path(""))"
    }

    /// Copies a certificate or key into the folder; returns its path there.
    public func install(_ source: URL, as name: String) throws -> String {
        let target = directory.path(name)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(at: source, to: URL(fileURLWithPath: target))
        return target
    }

    /// Writes nginx.conf serving these sites on 127.0.0.1.
    public func configure(_ sites: [Site], extra: String = "") throws {
        let servers = sites.map { site in
            """
                server {
                    listen 127.0.0.1:\(site.port) ssl;
                    server_name \(site.names.joined(separator: " "));
                    ssl_certificate \(site.certificate);
                    ssl_certificate_key \(site.key);
                    location / { return 200 "ok"; }
                }
            """
        }.joined(separator: "\n")
        let config = """
            pid \(directory.path("nginx.pid"));
            error_log \(directory.path("error.log"));
            events { worker_connections 32; }
            http {
                access_log off;
                client_body_temp_path \(directory.path("body"));
                proxy_temp_path \(directory.path("proxy"));
                fastcgi_temp_path \(directory.path("fastcgi"));
                uwsgi_temp_path \(directory.path("uwsgi"));
                scgi_temp_path \(directory.path("scgi"));
            \(servers)
            \(extra)
            }
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A loopback port nobody listens on now.
    public static func freePort() -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A running nginx serving www.example.com on a free loopback port with
    /// the fixture certificate rsa-www: what the deployment tests start from.
    public static func servingWWW() throws -> (nginx: NginxFixture, port: Int, certificate: String, key: String) {
        let nginx = NginxFixture()
        let port = freePort()
        let certificate = try nginx.install(Fixtures.url("rsa-www.crt.pem"), as: "site.pem")
        let key = try nginx.install(Fixtures.url("rsa-www.key.pem"), as: "site.key")
        try nginx.configure([.init(names: ["www.example.com"], port: port, certificate: certificate, key: key)])
        try nginx.start(waitingFor: port)
        return (nginx, port, certificate, key)
    }

    /// Starts nginx in the foreground of a process this fixture owns, and
    /// waits until `port` accepts connections.
    public func start(waitingFor port: Int) throws {
        guard let binary = Self.binary else { throw NginxError(description: "nginx is not installed: .ci/run installs it") }
        pid = try Daemon.start(binary, ["-e", directory.path("error.log"), "-c", configPath, "-p", directory.path(""), "-g", "daemon off;"],
                               log: directory.path("nginx.log"), port: port) { [directory] in
            (try? String(contentsOfFile: directory.path("error.log"), encoding: .utf8)) ?? ""
        }
    }

    public struct NginxError: Error, CustomStringConvertible { public var description: String }

    public static func accepts(_ port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    deinit { stop() }

    /// Stops the nginx this fixture started, by its process id.
    public func stop() {
        pid.map { Daemon.stop($0) }
        pid = nil
    }

}

/// A server a test starts in the foreground of a process it owns, and stops
/// by that process id.
public enum Daemon {
    /// Starts it with its output in `log`, and waits (10 s at most) until `port` accepts connections.
    public static func start(_ executable: String, _ arguments: [String], log: String, port: Int,
                             diagnostics: () -> String = { "" }) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let pid = try Spawn.process(executable, arguments, environment: ProcessInfo.processInfo.environment, fileActions: &actions)
        let deadline = Date().addingTimeInterval(10)
        var status: Int32 = 0
        while Date() < deadline {
            if NginxFixture.accepts(port) { return pid }
            if waitpid(pid, &status, WNOHANG) == pid {
                throw Failure(description: "\(executable) stopped at start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "") \(diagnostics())")
            }
            usleep(20_000)
        }
        stop(pid)
        throw Failure(description: "\(executable) did not listen on \(port) within 10 s: \(diagnostics())")
    }

    /// Stops the process it started, by its id, and waits for it (PostgreSQL's fast shutdown is SIGINT).
    public static func stop(_ pid: pid_t, signal: Int32 = SIGTERM) {
        kill(pid, signal)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    public struct Failure: Error, CustomStringConvertible { public var description: String }
}
