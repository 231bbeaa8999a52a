import Foundation

/// A PostgreSQL cluster of a test's own (T7): made with `initdb` in a
/// temporary folder, started on a loopback port as a user who is not root
/// (Debian's `postgres` when the tests run as root), and stopped by the
/// process id it started.
public final class PostgresFixture: @unchecked Sendable {
    /// The folder of Debian's PostgreSQL programs (the newest there is), else the one `initdb` is in on PATH.
    public static let programs: String? = {
        let debian = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let folders = debian.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
            + [Shell.find("initdb").map { ($0 as NSString).deletingLastPathComponent }].compactMap { $0 }
        return folders.first { FileManager.default.isExecutableFile(atPath: $0 + "/postgres") }
    }()

    public let port: Int
    public let folder = TemporaryDirectory()
    private var pid: pid_t

    /// The URL of its database `certpush`, owned by the user `certpush`, who needs no password.
    public var url: String { url(database: "certpush") }
    /// The URL of another of its databases.
    public func url(database: String) -> String { "postgresql://certpush@127.0.0.1:\(port)/\(database)" }

    public init() throws {
        guard let programs = Self.programs else { throw Daemon.Failure(description: "PostgreSQL is not installed: .ci/run installs it") }
        port = NginxFixture.freePort()
        let data = folder.path("data")
        // As root, the programs run as Debian's postgres user, in a folder it owns: PostgreSQL will not run as root.
        let asUser: [String] = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] : []
        if getuid() == 0 { _ = try Shell.run("/bin/chown", ["-R", "postgres:postgres", folder.path("")]) }
        func run(_ program: String, _ arguments: [String]) throws {
            let command = asUser + [programs + "/" + program] + arguments
            let result = try Shell.run(command[0], Array(command.dropFirst()))
            guard result.status == 0 else { throw Daemon.Failure(description: "\(program) failed: \(result.stdout)\(result.stderr)") }
        }
        try run("initdb", ["-D", data, "-U", "certpush", "--auth=trust", "-E", "UTF8", "--no-instructions", "--no-sync"])
        pid = try Self.start(programs, folder: folder, port: port)
        do {
            try run("createdb", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "certpush", "certpush"])
        } catch {
            Daemon.stop(pid, signal: SIGINT)
            throw error
        }
    }

    /// Starts the server on its data folder and port; returns once it takes logins.
    private static func start(_ programs: String, folder: TemporaryDirectory, port: Int) throws -> pid_t {
        let asUser: [String] = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] : []
        let command = asUser + [programs + "/postgres", "-D", folder.path("data"), "-p", "\(port)", "-k", folder.path(""),
                                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        let started = try Daemon.start(command[0], Array(command.dropFirst()), log: folder.path("postgres.log"), port: port)
        // The port takes connections before the server takes logins ("the database system is starting up").
        let deadline = Date().addingTimeInterval(10)
        while (try Shell.run(programs + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)"])).status != 0 {
            guard Date() < deadline else {
                Daemon.stop(started, signal: SIGINT)
                throw Daemon.Failure(description: "PostgreSQL did not take logins within 10 s")
            }
            usleep(50_000)
        }
        return started
    }

    /// T6: a stopped server started again, on the same data and port.
    public func startAgain() throws {
        pid = try Self.start(Self.programs!, folder: folder, port: port)
    }

    /// Stops the server (a fast shutdown) and waits for it.
    public func stop() { Daemon.stop(pid, signal: SIGINT) }
}
