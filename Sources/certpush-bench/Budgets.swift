import CertpushConsole
import CertpushCore
import CertpushPostgres
import CertpushServers
import CertpushSetup
import CertpushStore
import Foundation
import TerminalKit

/// Issue 8: every budget of SPEC 9, measured on a copy of a database made by
/// `make-db` (the copy is thrown away; the original is never written).
///   swift run -c release certpush-bench budgets PATH [path/to/certpush]
/// Commands run the real binary (release by default); the first screen is
/// the real binary launched in tmux; keys are handled and drawn in process,
/// as the terminal would get them. Each path runs 5 times; its worst run is held to the budget.
///
/// With `postgres`, the copy goes into that empty PostgreSQL database
/// instead (T5's copy, the sandbox included, which `db copy` itself refuses
/// for a training workspace) and every path is measured there (SPEC 9's team budget).
func budgets(database: String, binary: String, postgres: String? = nil) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("certpush-budgets-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let copy: String
    if let postgres {
        let started = Date()
        let vault = try Keyring.vault(at: Paths().keyring)
        let link = try PostgresLink(try PostgresLocation(url: postgres))
        try PostgresCopy.importWorkspace(into: link, seal: { try vault.seal($0) }) { try DatabaseMaintenance.export(path: database, $0) }
        print(String(format: "copied %@ into PostgreSQL in %.0f s", database, Date().timeIntervalSince(started)))
        copy = postgres
    } else {
        copy = folder.appendingPathComponent("scale.sqlite").path
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: database + suffix) {
            try FileManager.default.copyItem(atPath: database + suffix, toPath: copy + suffix)
        }
    }
    // Opening runs any migration the copy still needs, so that no figure below pays for it.
    let workspace = try Workspace.open(path: copy, user: "bench")
    let certificateCount = try workspace.certificates.index().count
    let resourceCount = try workspace.store.read { try $0.resourceCount() }
    print("certpush budgets on a copy of \(database): \(certificateCount) certificates, \(resourceCount) resources; binary \(binary)\n")
    let table = BudgetTable()
    let cli = CommandRunner(binary: binary, database: copy, folder: folder)

    // Launch to the certificate list, in a real terminal.
    print("measuring: first screen, commands, then keys on every screen (a few minutes at full scale)…")
    fflush(nil)
    table.add("first screen (launch in tmux to the list)", try (0..<5).map { _ in try cli.firstScreen() }, budget: 100)

    // Commands.
    // Official certificates make-db wrote that are valid for a while yet: ones a task can take.
    let valid = try workspace.certificates.index().matching(
        CertificateQuery(source: .official, expiring: Date().addingTimeInterval(7 * 86_400)..<Date.distantFuture))
    let official = try workspace.certificates.certificates(valid).filter { $0.name.hasPrefix("site-") }.map(\.id)
    /// `--cert` options of a few thousand ids each: one argument may not pass 128 KB.
    func certOptions(_ ids: ArraySlice<CertificateID>) -> [String] {
        stride(from: ids.startIndex, to: ids.endIndex, by: 5_000).flatMap { start in
            ["--cert", ids[start..<min(ids.endIndex, start + 5_000)].map(\.description).joined(separator: ",")]
        }
    }
    let thousand = certOptions(official.prefix(1_000))
    var pairs = 0
    table.add("tasks preview --match, 1,000 certificates", try (0..<5).map { _ in
        let run = try cli.run(["tasks", "preview", "--name", "bench", "--match"] + thousand + ["--json"])
        pairs = run.pairs
        return run.milliseconds
    }, budget: 1_000, note: "\(pairs) pairs")
    // Enough certificates for about 100,000 pairs, going by the pairs of the first 1,000.
    let perCertificate = max(1, Double(pairs) / 1_000)
    let many = certOptions(official.prefix(Int(100_000 / perCertificate)))
    table.add("tasks preview of ~100,000 pairs", try (0..<5).map { _ in
        let run = try cli.run(["tasks", "preview", "--name", "bench", "--match"] + many + ["--json"])
        pairs = run.pairs
        return run.milliseconds
    }, budget: 5_000, note: "\(pairs) pairs")
    // Creation, scheduled a minute out so that it does not run; deleted between runs, kept at the last.
    var created: TaskID?
    var creations: [Double] = []
    for attempt in 0..<5 {
        let at = ISO8601DateFormatter().string(from: Date().addingTimeInterval(45))
        let run = try cli.run(["tasks", "create", "--name", "bench-\(attempt)", "--match"] + many + ["--at", at, "--json"])
        creations.append(run.milliseconds)
        created = run.taskID
        if attempt < 4, let id = created { _ = try cli.run(["tasks", "delete", id.description]) }
    }
    table.add("tasks create of ~100,000 pairs", creations, budget: 5_000, note: "\(pairs) pairs")
    if let created {
        let due = try workspace.deployments.summary(created).scheduledAt ?? Date()
        Thread.sleep(until: due.addingTimeInterval(1))
        let run = try cli.run(["tasks", "run-due"])
        let summary = try workspace.deployments.summary(created)
        table.add("running it: tasks run-due (sandbox, no latency)", [run.milliseconds], budget: 60_000,
                  note: "1 run: \(summary.count(.succeeded)) succeeded, \(summary.count(.failed)) failed")
    }
    for (label, arguments, budget) in [("certs list --json", ["certs", "list", "--json"], 2_000.0),
                                       ("resources list --json", ["resources", "list", "--json"], 10_000.0)] {
        var memory = 0
        table.add(label, try (0..<5).map { _ in
            let run = try cli.run(arguments)
            memory = max(memory, run.maxResidentKB)
            return run.milliseconds
        }, budget: budget, note: "at most \(memory / 1024) MB resident")
    }

    // Keys, screen by screen: each key handled and the screen drawn.
    let keys = KeyBench(workspace: workspace, database: copy)
    keys.measureEveryScreen(into: table, task: created)
    table.print()
}

/// One line per budget: the median, the worst, the budget, and whether it
/// holds: on the worst run, not the median (issue 18), since a user meets
/// the slow run as often as the typical one.
final class BudgetTable {
    private var rows: [(label: String, median: Double, worst: Double, budget: Double, note: String)] = []

    func add(_ label: String, _ samples: [Double], budget: Double, note: String = "") {
        guard !samples.isEmpty else { return }
        let sorted = samples.sorted()
        rows.append((label, sorted[sorted.count / 2], sorted.last!, budget, note))
    }

    func print() {
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        Swift.print(pad("path", 64) + "    median      worst     budget")
        for row in rows {
            let verdict = row.worst < row.budget ? "within" : "OVER"
            Swift.print(pad(row.label, 64) + String(format: " %7.1f ms %7.1f ms < %6.0f ms  ", row.median, row.worst, row.budget) + verdict
                        + (row.note.isEmpty ? "" : "  " + row.note))
        }
    }
}

/// The real binary on the copy: commands timed with their peak memory, and the console in tmux.
struct CommandRunner {
    nonisolated(unsafe) static var launches = 0
    let binary: String
    let database: String
    let folder: URL

    struct Outcome {
        var milliseconds: Double
        var maxResidentKB: Int
        var output: Data
        var pairs: Int { (try? JSONSerialization.jsonObject(with: output) as? [String: Any])?["pairs"].flatMap { ($0 as? [Any])?.count ?? ($0 as? Int) } ?? 0 }
        var taskID: TaskID? { ((try? JSONSerialization.jsonObject(with: output) as? [String: Any])?["id"] as? String).flatMap(TaskID.init) }
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["CERTPUSH_DB"] = database
        environment["XDG_STATE_HOME"] = folder.path
        environment["XDG_CONFIG_HOME"] = folder.path
        // tmux refuses a new session from inside another one.
        environment["TMUX"] = nil
        environment["TERM"] = environment["TERM"] ?? "xterm-256color"
        return environment
    }

    /// Runs the binary, output to a file, its peak memory taken by GNU time:
    /// wait4's figure would count this process's memory, which the child shares until it runs.
    func run(_ arguments: [String]) throws -> Outcome {
        let output = folder.appendingPathComponent("output"), usage = folder.appendingPathComponent("usage")
        let run = try spawn("/usr/bin/time", ["-f", "%M", "-o", usage.path, binary] + arguments, output: output.path)
        let kilobytes = (try? String(contentsOf: usage, encoding: .utf8))?.split(separator: "\n").last
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return Outcome(milliseconds: run.milliseconds, maxResidentKB: kilobytes, output: (try? Data(contentsOf: output)) ?? Data())
    }

    /// posix_spawn and waitpid: Foundation's Process on Linux waits for ever
    /// on a child whose daemon (the tmux server) keeps its descriptors.
    private func spawn(_ executable: String, _ arguments: [String], output: String, errors: String = "/dev/null") throws -> (milliseconds: Double, status: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let clock = ContinuousClock(), start = clock.now
        let pid = try Spawn.process(executable, arguments, environment: environment, fileActions: &actions)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (milliseconds(clock.now - start), Spawn.exitCode(ofWaitStatus: status))
    }

    /// Launches the console in a new tmux server and waits for the list on screen.
    func firstScreen() throws -> Double {
        // A server of its own each run: a new one under the name of one shutting down may die with it.
        CommandRunner.launches += 1
        let server = "certpush-budgets-\(getpid())-\(CommandRunner.launches)", output = folder.appendingPathComponent("tmux-output").path
        func tmux(_ arguments: [String]) throws -> String {
            _ = try spawn("/usr/bin/env", ["tmux", "-L", server, "-f", "/dev/null"] + arguments, output: output, errors: output)
            return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }
        let clock = ContinuousClock(), start = clock.now
        let errors = folder.appendingPathComponent("console-errors").path
        let started = try tmux(["new-session", "-d", "-x", "100", "-y", "30", "exec '\(binary)' 2>'\(errors)'"])
        defer { _ = try? tmux(["kill-server"]) }
        var screen = ""
        while !screen.contains("certificates") {
            if clock.now - start > .seconds(10) {
                throw BenchError("no certificate list on screen after 10 s; tmux sessions: \(try tmux(["list-sessions"]))\ntmux said: \(started)\nthe console said: \((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")\nthe screen:\n\(screen)")
            }
            screen = try tmux(["capture-pane", "-p"])
            Thread.sleep(forTimeInterval: 0.002)
        }
        return milliseconds(clock.now - start)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The console in process on the copy: keys in, the screen drawn, each timed.
final class KeyBench {
    let console: Console
    let size = Size(width: 100, height: 30)

    init(workspace: Workspace, database: String) {
        console = Console(context: ConsoleContext(
            certificates: workspace.certificates, push: workspace.push, deployments: workspace.deployments, databaseLabel: database,
            workspace: .training, theme: .standard, readFile: InputFile.load(path:)))
        // As the runtime does: the first frame, at once the first tick (what the frame did not wait for
        // starts then: the certificate index), and a person's first key no sooner than half a second later.
        _ = console.render(size: size)
        console.tick()
        _ = console.render(size: size)
        Thread.sleep(forTimeInterval: 0.5)
    }

    var screen: String { console.render(size: size).text }

    /// Presses keys without timing them (getting somewhere).
    func press(_ keys: [Key]) {
        for key in keys {
            _ = console.handle(key, size: size)
            _ = console.render(size: size)
        }
    }

    func type(_ text: String) { press(text.map { Key.character($0) }) }

    /// Each key handled and drawn, timed.
    func time(_ keys: [Key]) -> [Double] {
        keys.map { key in
            let clock = ContinuousClock(), start = clock.now
            _ = console.handle(key, size: size)
            _ = console.render(size: size)
            let taken = milliseconds(clock.now - start)
            if taken > 16, ProcessInfo.processInfo.environment["CERTPUSH_BENCH_SLOW_KEYS"] != nil { print("slow key \(key): \(taken) ms") }
            return taken
        }
    }

    func timeTyping(_ text: String) -> [Double] { time(text.map { Key.character($0) }) }

    func measureEveryScreen(into table: BudgetTable, task: TaskID?) {
        let scroll: [Key] = [.down, .down, .pageDown, .pageDown, .up, .pageUp, .end, .home]
        // The certificate list.
        table.add("keys: certificate list (scroll)", time(scroll), budget: 16)
        press([.character("/")])
        table.add("keys: certificate list filter (\"site-4242\")", timeTyping("site-4242"), budget: 16)
        press([.escape])
        table.add("keys: certificate details (open, scroll, back)", time([.enter, .down, .down, .escape, .enter, .escape]), budget: 16)
        // The push page of a sandbox certificate, and its region picker.
        press([.character("/")])
        type("wildcard-example")
        press([.enter])
        table.add("keys: push page (open, move, regions, back)",
                  time([.character("p"), .down, .down, .character(" "), .down, .down, .down, .character("r"), .down, .character(" "), .enter, .escape]),
                  budget: 16)
        press([.escape, .escape])
        // The wizard from Deploy: step 2 scroll, choose, filter; step 3 with the smart-match offer.
        press([.home, .character("d"), .enter])
        table.add("keys: wizard step 2 (scroll, Space)", time(scroll + [.character(" "), .down, .character(" ")]), budget: 16)
        press([.character("/")])
        table.add("keys: wizard step 2 filter (\"site-77\")", timeTyping("site-77"), budget: 16)
        press([.escape])
        table.add("keys: wizard step 3 opens, with the smart-match offer", time([.enter]), budget: 16, note: "1 run")
        press([.enter])
        table.add("keys: wizard step 3 (scroll, Space, service, region)",
                  time(scroll + [.character(" "), .down, .character(" "), .right, .right, .right, .right, .character("r"), .down, .pageDown, .left]),
                  budget: 16)
        press([.character("/")])
        table.add("keys: wizard step 3 filter (\"h4242.site\")", timeTyping("h4242.site"), budget: 16)
        table.add("keys: wizard step 3 filter, rare text (\"res-99999\")", time([.escape, .character("/")] + "res-99999".map { Key.character($0) }),
                  budget: 16)
        press([.escape, .escape, .escape, .escape, .escape])
        // Deployment Tasks and the details of the big task.
        press([.tab, .down, .enter])
        table.add("keys: task list (scroll)", time([.down, .up, .end, .home]), budget: 16)
        if task != nil {
            table.add("keys: task details of the ~100,000-pair task (open, scroll, tabs)",
                      time([.enter] + scroll + [.right, .down, .left, .pageDown]), budget: 16)
            press([.escape])
        }
        // Cloud Resources, and ELB in cn-north-4 (half the inventory in a database made by make-db).
        press([.tab, .down, .enter])
        table.add("keys: Cloud Resources (scroll)", time([.down, .down, .up, .up]), budget: 16)
        press([.down, .down, .down, .enter])
        for _ in 0..<60 where !screen.contains("region ← cn-north-4") { press([.right]) }
        table.add("keys: service view, ELB cn-north-4 (scroll, regions)", time([.tab] + scroll + [.right, .left, .end]), budget: 16)
    }
}
