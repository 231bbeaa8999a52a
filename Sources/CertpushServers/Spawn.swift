import Foundation

/// posix_spawn with what every child of certpush needs: no signal blocked,
/// default handlers (whatever this process's threads had), optionally a
/// process group of its own. Foundation's `Process` on Linux takes a child
/// for alive while anything it started holds its descriptors, so children
/// that must be waited for with a deadline, or that fork daemons, go here.
public enum Spawn {
    public static func process(_ executable: String, _ arguments: [String], environment: [String: String],
                               fileActions: inout posix_spawn_file_actions_t, newProcessGroup: Bool = false) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &fileActions, &attributes, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        return pid
    }

    /// How a reaped child ended: its exit status, or 128 + the signal that killed it.
    public static func exitCode(ofWaitStatus status: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand: they are macros.
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
