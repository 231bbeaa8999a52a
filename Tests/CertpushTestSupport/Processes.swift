import CertpushServers
import CertpushSetup
import Foundation

/// The `certpush` binary `swift test` built beside this test bundle.
public enum CertpushBinary {
    public static let url: URL = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("certpush")
    }()

    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Runs `certpush` with `arguments`, no terminal, and waits for it.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try Shell.run(url.path, arguments, environment: environment)
    }
}

public enum Shell {
    /// Spawns and waits with posix_spawn and waitpid: Foundation's `Process`
    /// can miss a child's exit on Linux when the child forks a daemon (tmux).
    /// Output goes to files, not pipes, for the same reason: the daemon would
    /// hold a pipe open and a read would never end.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> CertpushBinary.Result {
        let directory = TemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let outPath = directory.path("stdout"), errPath = directory.path("stderr")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pid = try Spawn.process(executable, arguments, environment: merged, fileActions: &actions)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = Spawn.exitCode(ofWaitStatus: status)
        return .init(status: exitCode,
                     stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// `/usr/bin/env NAME` if it is on PATH.
    public static func find(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
