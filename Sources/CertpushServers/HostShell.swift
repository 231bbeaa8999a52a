import CertpushCore
import Foundation

/// Runs commands on a server of a `servers` account (SPEC 13, S4): through
/// the system's OpenSSH client in batch mode (the user's config, agent and
/// known_hosts apply; no prompt ever waits), or on this host when its `ssh`
/// is "local". Input goes on standard input, never on a command line; every
/// command has a time limit.
public struct HostShell: Sendable {
    public let host: ServerHost
    public var timeLimit: TimeInterval
    /// Where one shared connection per host lives for a task (ControlMaster); nil for none.
    public var controlFolder: String?

    public init(host: ServerHost, timeLimit: TimeInterval = 30, controlFolder: String? = nil) {
        self.host = host
        self.timeLimit = timeLimit
        self.controlFolder = controlFolder
    }

    public struct Output: Sendable, Equatable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool
        /// The child closed its standard input before it took all that was written to it.
        public var inputUnread = false
        /// The signal that ended the child, when one did (`status` is then 128 + it).
        public var signal: Int32?

        public var succeeded: Bool { status == 0 && !timedOut }

        /// What went wrong in the command's (or ssh's) own words, one line.
        public var failure: String {
            if timedOut { return "no answer within the time limit" }
            let lines = (stderr.isEmpty ? stdout : stderr).split(whereSeparator: \.isNewline).map { (line: Substring) -> String in
                line.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            // The line that says why (nginx's [emerg], ssh's own), else the last one.
            let telling = lines.first { line in ["[emerg]", "[crit]", "[alert]", "[error]", "ssh:", "Permission denied", "Host key verification failed"].contains { line.contains($0) } }
            var line = telling ?? lines.last ?? "it exited with status \(status)"
            // An error log's line without its time and process: "[emerg] open() ... failed".
            line = line.replacing(#/^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d /#, with: "").replacing(#/\] \d+#\d+: /#, with: "] ")
            return line.hasSuffix(".") ? String(line.dropLast()) : line
        }
    }

    /// The ssh arguments before the destination: batch mode, time limits
    /// (S12: the host's `connect_timeout`, else the user's ssh_config, else
    /// certpush's own), and the shared connection when there is one.
    var sshOptions: [String] {
        // An ssh_config of certpush's own, when the operator keeps one apart from ~/.ssh/config.
        let configFile = ProcessInfo.processInfo.environment["CERTPUSH_SSH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var options = (configFile.map { ["-F", $0] } ?? []) + ["-o", "BatchMode=yes"]
        options += Self.timeOptions(host: host, timeLimit: timeLimit, users: Self.userSettings(configFile: configFile, destination: host.ssh))
        if let controlFolder {
            options += ["-o", "ControlMaster=auto", "-o", "ControlPath=\(controlFolder)/%C", "-o", "ControlPersist=10"]
        }
        return options
    }

    /// S12: the host's `connect_timeout` wins; else what the user's ssh
    /// configuration sets (`users`, as `ssh -G` says it); certpush's own
    /// time limits only where it sets none.
    public static func timeOptions(host: ServerHost, timeLimit: TimeInterval, users: [String: String]) -> [String] {
        var options: [String] = []
        if let seconds = host.connectTimeout {
            options += ["-o", "ConnectTimeout=\(seconds)"]
        } else if users["connecttimeout"] ?? "none" == "none" {
            options += ["-o", "ConnectTimeout=\(Int(min(timeLimit, 15)))"]
        }
        if users["serveraliveinterval"] ?? "0" == "0" { options += ["-o", "ServerAliveInterval=5"] }
        return options
    }

    /// What the user's ssh configuration sets for a destination (`ssh -G`),
    /// read once per configuration and destination.
    public static func userSettings(configFile: String?, destination: String) -> [String: String] {
        let key = (configFile ?? "") + "\u{0}" + destination
        if let known = settingsLock.withLock({ knownSettings[key] }) { return known }
        var settings: [String: String] = [:]
        if let output = try? Subprocess.run(ssh, (configFile.map { ["-F", $0] } ?? []) + ["-G", "--", destination], timeLimit: 10), output.succeeded {
            for line in output.stdout.split(separator: "\n") {
                let words = line.split(separator: " ", maxSplits: 1)
                if words.count == 2 { settings[String(words[0])] = String(words[1]) }
            }
        }
        settingsLock.withLock { knownSettings[key] = settings }
        return settings
    }

    private static let settingsLock = NSLock()
    nonisolated(unsafe) private static var knownSettings: [String: [String: String]] = [:]

    /// Runs `command` with `/bin/sh -c` there, `input` on its standard input.
    public func run(_ command: String, input: Data = Data()) throws -> Output {
        #if DEBUG
        RemoteStepKill.during.tick()
        #endif
        let output = host.isLocal
            ? try Subprocess.run("/bin/sh", ["-c", command], input: input, timeLimit: timeLimit)
            : try Subprocess.run(Self.ssh, sshOptions + ["--", host.ssh, command], input: input, timeLimit: timeLimit)
        #if DEBUG
        RemoteStepKill.after.tick()
        #endif
        return output
    }

    /// Ends the shared connection, if one was opened.
    public func close() {
        guard let controlFolder, !host.isLocal else { return }
        _ = try? Subprocess.run(Self.ssh, ["-o", "ControlPath=\(controlFolder)/%C", "-O", "exit", "--", host.ssh], timeLimit: 5)
    }

    /// Where this process keeps one shared ssh connection per host (S4), in a
    /// folder only its user can enter; nil when none can be made.
    public static let sharedConnections: String? = {
        let folder = NSTemporaryDirectory() + "certpush-ssh-\(getuid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: folder),
              (attributes[.ownerAccountID] as? NSNumber)?.uint32Value == getuid(),
              (attributes[.posixPermissions] as? Int) == 0o700 else { return nil }
        return folder
    }()

    static let ssh = ["/usr/bin/ssh", "/usr/local/bin/ssh", "/bin/ssh"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/ssh"

    /// The server's own tool, as the config says to call it (`sudo nginx`), or its plain name.
    public var tool: String {
        host.command ?? host.server.software.tool
    }

    /// One cheap call that proves the host answers and has its server: `nginx -v`.
    public func check() -> Result<String, Refusal> {
        do {
            let output = try run(tool + " -v")
            guard output.succeeded else { return .failure(Refusal(output.failure)) }
            let words = (output.stdout + "\n" + output.stderr).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            return .success(words.first { !$0.isEmpty } ?? "answered")
        } catch {
            return .failure(Refusal("\(error)"))
        }
    }
}

/// The one way certpush runs a child (a server's tool, ssh, `notify_command`):
/// its standard input fed and its output captured, and at the deadline
/// everything it started (its own process group) stopped with one policy:
/// TERM, a second's grace, then KILL.
public enum Subprocess {
    /// How long a child stopped at its deadline has to end on TERM before KILL.
    public static let grace: TimeInterval = 1

    public static func run(_ executable: String, _ arguments: [String], input: Data = Data(), timeLimit: TimeInterval,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HostShell.Output {
        var stdinPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0], stderrPipe: [Int32] = [0, 0]
        guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0, pipe(&stderrPipe) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        for end in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        for end in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] { posix_spawn_file_actions_addclose(&actions, end) }
        let pid: pid_t
        do {
            pid = try Spawn.process(executable, arguments, environment: environment, fileActions: &actions, newProcessGroup: true)
        } catch {
            for end in stdinPipe + stdoutPipe + stderrPipe { close(end) }
            throw error
        }
        for end in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] { close(end) }

        // Feed the input on its own thread: a child may write before it reads.
        let feeder = stdinPipe[1]
        let fed = InputFed()
        let writer = Thread {
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(feeder, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 {
                        if errno == EINTR { continue }
                        fed.unread = true
                        break
                    }
                    offset += written
                }
            }
            close(feeder)
            fed.done.signal()
        }
        _ = brokenPipesIgnored
        writer.start()

        var out = Data(), err = Data()
        var open = [stdoutPipe[0], stderrPipe[0]]
        let deadline = Date().addingTimeInterval(timeLimit)
        var timedOut = false
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                timedOut = true
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1) * 1_000))
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &chunk, chunk.count)
                if count > 0 {
                    if entry.fd == stdoutPipe[0] { out.append(contentsOf: chunk[0..<count]) } else { err.append(contentsOf: chunk[0..<count]) }
                } else if count == 0 || errno != EINTR {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        let status = timedOut ? stop(pid) : reap(pid)
        close(stdoutPipe[0])
        close(stderrPipe[0])
        // The writer ends once the child has taken its input or gone.
        _ = fed.done.wait(timeout: .now() + grace)
        var output = HostShell.Output(status: Spawn.exitCode(ofWaitStatus: status), stdout: String(decoding: out, as: UTF8.self),
                                      stderr: String(decoding: err, as: UTF8.self), timedOut: timedOut)
        output.inputUnread = fed.unread
        output.signal = (status & 0x7F) == 0 ? nil : status & 0x7F
        return output
    }

    /// The deadline's policy: TERM to the whole group, a second's grace, then KILL; the wait status.
    private static func stop(_ pid: pid_t) -> Int32 {
        kill(-pid, SIGTERM)
        let graceEnds = Date().addingTimeInterval(grace)
        var status: Int32 = 0
        while Date() < graceEnds {
            var result: pid_t
            repeat { result = waitpid(pid, &status, WNOHANG) } while result == -1 && errno == EINTR
            if result == pid { return status }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        return reap(pid)
    }

    private static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }

    /// What the writer thread found: whether the child left input unread.
    private final class InputFed: @unchecked Sendable {
        var unread = false
        let done = DispatchSemaphore(value: 0)
    }

    /// A child that stops reading its input must not kill certpush with SIGPIPE.
    private static let brokenPipesIgnored: Void = { signal(SIGPIPE, SIG_IGN) }()
}

#if DEBUG
/// Fault injection for the kill walk of server deployments, inside a
/// provider call, where `CERTPUSH_KILL_AFTER_WRITES` (database writes) never
/// reaches: `CERTPUSH_KILL_AFTER_STEPS=N` kills this process right after its
/// Nth command on a host returned; `CERTPUSH_KILL_DURING_STEP=N` 20 ms into
/// its Nth command, which goes on without it (a reload still under way when
/// recovery looks).
enum RemoteStepKill {
    static let after = CountedKill("CERTPUSH_KILL_AFTER_STEPS")
    static let during = CountedKill("CERTPUSH_KILL_DURING_STEP", delay: 0.02)
}
#endif
