import CertpushTestSupport
import Foundation
import Testing

/// `certpush tasks ...` as scripts and cron use it (SPEC 5, 8).
@Suite struct TaskCommandTests {
    let directory = TemporaryDirectory()
    var db: String { directory.path("tasks.sqlite") }
    func certpush(_ arguments: [String]) throws -> CertpushBinary.Result {
        try CertpushBinary.run(arguments + ["--db", db], environment: ["XDG_STATE_HOME": directory.path("state"),
                                                                        "XDG_CONFIG_HOME": directory.path("config")])
    }

    @Test("create without --at runs the task: 0 when all succeeded, 1 when some failed; preview refusals exit 2")
    func exitCodes() throws {
        #expect(try certpush(["init"]).status == 0)
        let preview = try certpush(["tasks", "preview", "--name", "p", "--cert", "c10", "--match", "--json"])
        #expect(preview.status == 0)
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(preview.stdout.utf8)) as? [String: Any])
        #expect((plan["pairs"] as? Int ?? 0) > 0)
        #expect(plan["quota"] as? Int == 0)
        #expect(try certpush(["tasks", "create", "--name", "ok", "--cert", "c10", "--match"]).status == 0)
        let mixed = try certpush(["tasks", "create", "--name", "wild", "--cert", "c2", "--match", "--json"])
        #expect(mixed.status == 1)
        let task = try #require(try JSONSerialization.jsonObject(with: Data(mixed.stdout.utf8)) as? [String: Any])
        #expect(task["status"] as? String == "partially_failed")
        let resources = try #require(task["resources"] as? [[String: Any]])
        #expect(resources.contains { $0["cause"] as? String == "listener in maintenance" })
        #expect(try certpush(["tasks", "create", "--name", "mixed", "--cert", "c2", "--cert", "c12", "--match"]).status == 2)
        #expect(try certpush(["tasks", "create", "--name", "past", "--cert", "c10", "--match", "--at", "2020-01-01T00:00:00Z"]).status == 2)
        #expect(try certpush(["tasks", "show", "t2"]).stdout.contains("listener-hk-443"))
        // Streamed for 100,000 pairs, yet to the letter what JSONEncoder writes for `tasks list --json`, one level in.
        let listed = try certpush(["tasks", "list", "--json"]).stdout
        for id in ["t1", "t2"] {
            let shown = try certpush(["tasks", "show", id, "--json"]).stdout
            #expect(shown.contains("\"resources\" : ["))
            // Each line one level in, as the list nests it; an empty line (inside an empty array) stays empty.
            let indented = shown.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
            #expect(listed.contains(indented), "tasks show \(id) --json is not written as tasks list --json writes it")
        }
        #expect(try certpush(["tasks", "rollback", "t2", "--resource", "r6"]).status == 2)
        #expect(try certpush(["tasks", "rollback", "t2", "--resource", "r5"]).status == 0)
    }

    @Test("--cert and --resource take several ids separated by commas, as if repeated; a bad id is refused")
    func commaSeparatedIDs() throws {
        #expect(try certpush(["init"]).status == 0)
        let repeated = try certpush(["tasks", "preview", "--name", "p", "--cert", "c2", "--cert", "c8", "--match", "--json"])
        let commas = try certpush(["tasks", "preview", "--name", "p", "--cert", "c2, c8", "--match", "--json"])
        #expect(repeated.status == commas.status)
        #expect(repeated.stdout == commas.stdout)
        let resources = try certpush(["tasks", "preview", "--name", "p", "--cert", "c2", "--resource", "r5,r8", "--json"])
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(resources.stdout.utf8)) as? [String: Any])
        #expect(plan["resources"] as? [String] == ["r5", "r8"])
        let bad = try certpush(["tasks", "preview", "--name", "p", "--cert", "c2,x9", "--match"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("\"x9\" is not a certificate id"))
    }

    @Test("notify_command from the config gets each notification on standard input")
    func notifyCommand() throws {
        let out = directory.path("notified.txt")
        try FileManager.default.createDirectory(atPath: directory.path("config/certpush"), withIntermediateDirectories: true)
        // What a mail script needs, in its environment (issue 22, 11).
        let command = "cat >> \(out); echo \\\"to $CERTPUSH_CONTACT <$CERTPUSH_EMAIL>: $CERTPUSH_TASK $CERTPUSH_STATUS\\\" >> \(out)"
        try "notify_command = \"\(command)\"\n".write(toFile: directory.path("config/certpush/config.toml"), atomically: true, encoding: .utf8)
        #expect(try certpush(["init"]).status == 0)
        #expect(try certpush(["tasks", "create", "--name", "tell", "--cert", "c10", "--match", "--contact", "Ana Ops", "--contact", "Chen Web"]).status == 0)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.components(separatedBy: "ended succeeded").count - 1 == 2)
        #expect(text.contains("to Ana Ops <ana.ops@example.com>: t1 succeeded\n"), "\(text)")
        #expect(text.contains("to Chen Web <chen.web@example.com>: t1 succeeded\n"), "\(text)")
    }

    @Test("run-due says each task it ran with its outcome, exits 1 when one failed, and names what it finished after a kill (issue 22, 2)")
    func runDueTellsCron() throws {
        #expect(try certpush(["init"]).status == 0)
        let at = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2))
        #expect(try certpush(["tasks", "create", "--name", "bad", "--cert", "c2", "--resource", "r6", "--at", at]).status == 0)
        #expect(try certpush(["tasks", "create", "--name", "good", "--cert", "c10", "--match", "--at", at]).status == 0)
        Thread.sleep(forTimeInterval: 2.2)
        let ran = try certpush(["tasks", "run-due"])
        #expect(ran.status == 1, "a task failed: cron must hear it")
        #expect(ran.stdout == "t1 bad: failed (1 of 1 pair failed; r6: listener in maintenance)\nt2 good: succeeded (1 pair)\n", "\(ran.stdout)")
        let idle = try certpush(["tasks", "run-due"])
        #expect(idle.status == 0 && idle.stdout == "No task was due.\n")

        // Killed at its third write, mid-task: the next run-due finishes it and says so.
        let killed = try CertpushBinary.run(["tasks", "create", "--name", "cut", "--cert", "c10", "--match", "--db", db], environment: [
            "XDG_STATE_HOME": directory.path("state"), "XDG_CONFIG_HOME": directory.path("config"), "CERTPUSH_KILL_AFTER_WRITES": "3"])
        #expect(killed.status == 128 + SIGKILL || killed.status == -1 || killed.status != 0, "\(killed.status)")
        let recovered = try certpush(["tasks", "run-due"])
        #expect(recovered.status == 0, "\(recovered.stderr)")
        #expect(recovered.stdout == "t3 cut: succeeded (1 pair)\n", "\(recovered.stdout)")
    }

    @Test("--at without a zone is read in the local zone (TZ), and every time printed says its zone (issue 22, 4)")
    func localTimes() throws {
        #expect(try certpush(["init"]).status == 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let day = calendar.date(byAdding: .day, value: 2, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        let date = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        func inZone(_ zone: String, _ arguments: [String]) throws -> CertpushBinary.Result {
            try CertpushBinary.run(arguments + ["--db", db], environment: ["XDG_STATE_HOME": directory.path("state"),
                                                                            "XDG_CONFIG_HOME": directory.path("config"), "TZ": zone])
        }
        let created = try inZone("Asia/Shanghai", ["tasks", "create", "--name", "later", "--cert", "c10", "--match", "--at", "\(date) 10:00"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("t1 later: scheduled, scheduled for \(date) 10:00 UTC+08:00\n"), "\(created.stdout)")
        let shown = try inZone("Asia/Shanghai", ["tasks", "show", "t1", "--json"])
        let task = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(task["scheduledAt"] as? String == "\(date)T02:00:00Z")
        #expect(try inZone("Asia/Shanghai", ["tasks", "list"]).stdout.contains("\(date) 10:00 UTC+08:00"))
        #expect(try inZone("UTC", ["tasks", "list"]).stdout.contains("\(date) 02:00 UTC"))
        let refused = try inZone("Asia/Shanghai", ["tasks", "create", "--name", "x", "--cert", "c10", "--match", "--at", "soon"])
        #expect(refused.stderr.contains("(UTC+08:00 Asia/Shanghai)"), "the refusal names the zone it reads in: \(refused.stderr)")
    }

    @Test("JSON says null where there is no value, and a task carries its contacts, times and counts (issue 22, 10)")
    func jsonNulls() throws {
        #expect(try certpush(["init"]).status == 0)
        let created = try certpush(["tasks", "create", "--name", "j", "--cert", "c2", "--match", "--contact", "Ana Ops", "--json"])
        let task = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        #expect(task["contacts"] as? [String] == ["Ana Ops"])
        for key in ["createdAt", "createdBy", "finishedAt", "succeeded", "failed"] { #expect(task[key] != nil && !(task[key] is NSNull), "\(key)") }
        #expect((task["succeeded"] as? Int ?? 0) + (task["failed"] as? Int ?? 0) == task["pairs"] as? Int)
        #expect(task["scheduledAt"] is NSNull)
        let pairs = try #require(task["resources"] as? [[String: Any]])
        #expect(pairs.contains { $0["status"] as? String == "succeeded" && $0["cause"] is NSNull })
        #expect(pairs.contains { $0["status"] as? String == "failed" && $0["cause"] as? String == "listener in maintenance" })
        // tasks list --json writes the same objects as tasks show --json.
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(try certpush(["tasks", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(listed.first.map { NSDictionary(dictionary: $0) } == NSDictionary(dictionary: task))
        let certificates = try #require(try JSONSerialization.jsonObject(with: Data(try certpush(["certs", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        let pending = try #require(certificates.first { $0["status"] as? String == "pending" })
        #expect(pending["fingerprint"] is NSNull && pending["serial"] is NSNull)
        let pushed = try certpush(["push", "c12", "--service", "waf", "--region", "cn-north-4", "--region", "af-south-1", "--json"])
        let results = try #require((try JSONSerialization.jsonObject(with: Data(pushed.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]])
        #expect(results.map { $0["reason"] is NSNull } == [true, false])
    }

    @Test("two run-due processes at once never run a task twice")
    func concurrentRunDue() throws {
        #expect(try certpush(["init"]).status == 0)
        let at = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2))
        for n in 0..<4 {
            #expect(try certpush(["tasks", "create", "--name", "s\(n)", "--cert", "c10", "--match", "--at", at]).status == 0)
        }
        Thread.sleep(forTimeInterval: 2.2)
        let results = Results()
        let arguments = ["tasks", "run-due", "--db", db]
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            results.append((try? CertpushBinary.run(arguments))?.status ?? -1)
        }
        #expect(results.statuses == [0, 0])
        let activity = try certpush(["activity", "--limit", "100", "--json"]).stdout
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(activity.utf8)) as? [[String: Any]])
        let finishes = entries.filter { $0["action"] as? String == "task.finish" }.compactMap { $0["subject"] as? String }
        #expect(finishes.sorted() == ["t1", "t2", "t3", "t4"])
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int32] = []
        func append(_ value: Int32) { lock.withLock { values.append(value) } }
        var statuses: [Int32] { lock.withLock { values } }
    }
}
