import CertpushServers
import Foundation

/// A `/bin/sh -c` command in a process group of its own, with its standard
/// input on a pipe, waited for with a deadline (`Spawn` says why not `Process`).
struct ShellCommand {
    let pid: pid_t
    /// The write end of the command's standard input.
    let input: Int32

    enum Outcome: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    static func spawn(_ command: String, environment: [String: String]) throws -> ShellCommand {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        // Its own group, so that a time-out stops everything it started.
        let pid: pid_t
        do {
            pid = try Spawn.process("/bin/sh", ["-c", command], environment: environment, fileActions: &actions, newProcessGroup: true)
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        close(readEnd)
        return ShellCommand(pid: pid, input: writeEnd)
    }

    /// Waits for the command to end; at the deadline its whole group is
    /// stopped (TERM, then KILL a second later) and reaped.
    func wait(until deadline: Date) -> Outcome {
        while true {
            if let outcome = reap(blocking: false) { return outcome }
            if Date() >= deadline { break }
            usleep(10_000)
        }
        kill(-pid, SIGTERM)
        let grace = Date().addingTimeInterval(1)
        while Date() < grace {
            if reap(blocking: false) != nil { return .timedOut }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        _ = reap(blocking: true)
        return .timedOut
    }

    private func reap(blocking: Bool) -> Outcome? {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while result == -1 && errno == EINTR
        guard result == pid else { return result == -1 ? .exited(-1) : nil }
        let code = Spawn.exitCode(ofWaitStatus: status)
        return (status & 0x7F) == 0 ? .exited(code) : .signalled(code - 128)
    }
}
