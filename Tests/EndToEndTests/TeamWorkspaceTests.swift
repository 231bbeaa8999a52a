import CertpushCore
import CertpushPostgres
import CertpushServers
import CertpushSetup
import CertpushTestSupport
import Foundation
import PostgresNIO
import Testing

/// SPEC 17's done: several processes of the real binary on one workspace in
/// PostgreSQL at once, as several bastions would be, and a console among them.
@Suite(.serialized) struct TeamWorkspaceTests {
    let directory = TemporaryDirectory()

    /// Runs `certpush` as `CertpushBinary.run` does, its process id kept in `log` while it runs: a runner the killer may pick.
    static func runTracked(_ arguments: [String], environment: [String: String], log: Log) throws -> CertpushBinary.Result {
        let folder = TemporaryDirectory()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, folder.path("out"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, folder.path("err"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let pid = try Spawn.process(CertpushBinary.url.path, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                    fileActions: &actions)
        log.running(pid, true)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        log.running(pid, false)
        return .init(status: Spawn.exitCode(ofWaitStatus: status), stdout: (try? String(contentsOfFile: folder.path("out"), encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOfFile: folder.path("err"), encoding: .utf8)) ?? "")
    }

    /// What each loop saw go wrong: a sentence that a shared workspace should never give.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var problems: [String] = []
        private(set) var runs = 0
        var killedTask: Int64?
        /// The run-due processes running now.
        private(set) var runners: Set<pid_t> = []
        func running(_ pid: pid_t, _ started: Bool) {
            lock.lock()
            if started { runners.insert(pid) } else { runners.remove(pid) }
            lock.unlock()
        }
        var runnersNow: Set<pid_t> {
            lock.lock()
            defer { lock.unlock() }
            return runners
        }
        func failed(_ problem: String) {
            lock.lock()
            problems.append(problem)
            lock.unlock()
        }
        func note(_ command: [String], _ result: CertpushBinary.Result, allowed: Set<Int32>) {
            lock.lock()
            defer { lock.unlock() }
            runs += 1
            let sentence = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            if !allowed.contains(result.status) || sentence.contains("locked") || sentence.contains("refused a statement") {
                problems.append("\(command.joined(separator: " ")) → \(result.status): \(sentence)")
            }
        }
    }

    @Test("T2, T3: two run-due loops, a creator of scheduled tasks, an importer and a console on one workspace for 15 s: no task runs twice, none is stuck, quota adds up; a runner killed mid-task is finished by another")
    func fourProcessesAndAConsole() throws {
        let cluster = try PostgresFixture()
        defer { cluster.stop() }
        let keyring = directory.path("keyring")
        // The team's workspace: the sandbox, so that deployments take time (sandbox_latency_ms) and reach nothing real.
        let workspace = try Workspace.open(path: cluster.url, kind: .training, keyring: keyring, user: "setup")
        let ids = Dictionary(uniqueKeysWithValues: try workspace.certificates.list(CertificateQuery()).map { ($0.name, $0.id.description) })
        let initialQuota = try workspace.deployments.quotaRemaining()
        try FileManager.default.createDirectory(atPath: directory.path("config/certpush"), withIntermediateDirectories: true)
        // T1: the database named by config.toml, as each bastion's would.
        try "database = \"\(cluster.url)\"\nsandbox_latency_ms = 120\n"
            .write(toFile: directory.path("config/certpush/config.toml"), atomically: true, encoding: .utf8)
        let environment = ["XDG_CONFIG_HOME": directory.path("config"), "XDG_STATE_HOME": directory.path("state"),
                           "XDG_DATA_HOME": directory.path("data"), "CERTPUSH_KEYRING": keyring]

        let console = Shell.find("tmux") == nil ? nil : try TmuxSession(command: environment.map { "\($0)=\($1)" }
            .reduce("env TERM=tmux-256color") { $0 + " " + $1 } + " \(CertpushBinary.url.path); sleep 30")
        if console == nil, ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("tmux is not installed; .ci/run installs it") }
        try console?.waitFor("certificates")

        let log = Log()
        let deadline = Date().addingTimeInterval(15)
        let link = try PostgresLink(try PostgresLocation(url: cluster.url))
        let group = DispatchGroup()
        func loop(_ body: @escaping @Sendable (Int) throws -> Void) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var round = 0
                while Date() < deadline {
                    do { try body(round) } catch { log.failed("a loop: \(error)") }
                    round += 1
                }
            }
        }
        // Two runners, each `tasks run-due` again and again.
        for _ in 0..<2 {
            loop { _ in
                let command = ["tasks", "run-due"]
                let result = try Self.runTracked(command, environment: environment, log: log)
                // The one run killed below ends by SIGKILL (128 + 9).
                log.note(command, result, allowed: result.status == 137 && log.killedTask != nil ? [137] : [0, 1])
            }
        }
        // The killer: once, a runner caught deploying a task's pairs (one done, the others to go) is killed -9.
        loop { _ in
            guard log.killedTask == nil else { return Thread.sleep(forTimeInterval: 0.2) }
            for pid in log.runnersNow {
                let rows = try link.execute("""
                    SELECT t.id FROM task t WHERE t.runner_pid = \(Int(pid)) AND t.status = 'running'
                    AND EXISTS (SELECT 1 FROM task_pair p WHERE p.task_id = t.id AND p.status = 'succeeded')
                    AND EXISTS (SELECT 1 FROM task_pair p WHERE p.task_id = t.id AND p.status IN ('pending', 'deploying'))
                    """)
                if let row = rows.first {
                    log.killedTask = try row.decode(Int64.self)
                    kill(pid, SIGKILL)
                    return
                }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        // The creator: a scheduled task a few seconds ahead, of certificates that cost quota and one that does not.
        loop { round in
            let names = ["wildcard-example", "media-upload", "legacy-upload"]
            let at = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3))
            let command = ["tasks", "create", "--name", "team-\(round)", "--cert", ids[names[round % names.count]]!, "--match", "--at", at]
            let result = try CertpushBinary.run(command, environment: environment)
            // D9: once the quota is spent, a task that needs some is refused at creation, nothing made.
            log.note(command, result, allowed: result.stderr.contains("unit of deployment quota") ? [2] : [0])
            Thread.sleep(forTimeInterval: 0.3)
        }
        // The importer: every certificate of the fixtures once; one already there is refused (2) and changes nothing.
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("rsa-www.crt.pem").deletingLastPathComponent().path)
            .filter { $0.hasSuffix(".crt.pem") }.sorted()
        loop { round in
            guard round < files.count else { return Thread.sleep(forTimeInterval: 0.2) }
            let command = ["certs", "import", "--cert", Fixtures.url(files[round]).path]
            log.note(command, try CertpushBinary.run(command, environment: environment), allowed: [0, 2])
        }
        group.wait()

        // What is left runs as the next cron would, until nothing is queued, running or in flight (the console runs tasks too).
        func count(_ sql: String) throws -> Int64 { try link.execute(PostgresQuery(unsafeSQL: sql)).first?.decode(Int64.self) ?? -1 }
        let settled = Date().addingTimeInterval(30)
        while Date() < settled {
            Thread.sleep(forTimeInterval: 0.5)
            log.note(["tasks", "run-due"], try CertpushBinary.run(["tasks", "run-due"], environment: environment), allowed: [0, 1])
            if try count("SELECT count(*) FROM task WHERE status IN ('pending', 'running', 'scheduled')") == 0 { break }
        }
        #expect(log.problems.isEmpty, "\(log.problems.joined(separator: "\n"))")
        #expect(log.runs > 30, "the loops ran \(log.runs) commands")
        #expect(try count("SELECT count(*) FROM task") > 10)
        #expect(try count("SELECT count(*) FROM task WHERE status IN ('pending', 'running', 'scheduled')") == 0)
        #expect(try count("SELECT count(*) FROM task_pair WHERE status IN ('pending', 'deploying', 'rolling_back')") == 0)
        // No pair deployed twice: each went to deploying once at most.
        #expect(try count("SELECT count(*) FROM (SELECT pair_id FROM pair_step WHERE status = 'deploying' GROUP BY pair_id HAVING count(*) > 1) AS twice") == 0)
        // Quota adds up: what is left and what the pairs hold make what there was.
        let charged = try count("SELECT count(*) FROM task_pair WHERE charged = 1")
        #expect(charged > 0)
        #expect(Int64(try workspace.deployments.quotaRemaining()) + charged == Int64(initialQuota))
        // The task whose runner was killed was finished by another runner.
        let killed = try #require(log.killedTask, "the killed runner never deployed")
        let finished = try workspace.deployments.task(TaskID(killed))
        #expect(finished.status.isFinished, "\(finished.status)")
        // T3: the console shows what the others made, no key pressed.
        if let console {
            let certificates = try count("SELECT count(*) FROM certificate")
            try console.waitFor("\(certificates) certificates", timeout: 3)
        }
    }
}
