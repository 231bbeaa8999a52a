import CertpushTestSupport
import Foundation
import Testing

/// The real binary in a real terminal: tmux runs it, keys go in with
/// send-keys, the screen comes out with capture-pane.
final class TmuxSession {
    let server = "certpush-test-\(UUID().uuidString.prefix(8))"
    let tmux: String

    init?(command: String, width: Int = 100, height: Int = 30) throws {
        guard let tmux = Shell.find("tmux") else { return nil }
        self.tmux = tmux
        try run("new-session", "-d", "-x", "\(width)", "-y", "\(height)", command)
    }

    deinit { _ = try? run("kill-server") }

    @discardableResult
    func run(_ arguments: String...) throws -> String {
        try Shell.run(tmux, ["-L", server, "-f", "/dev/null"] + arguments).stdout
    }

    func send(_ keys: String...) throws { try run(["send-keys", "-t", "0"] + keys) }
    func type(_ text: String) throws { try run("send-keys", "-t", "0", "-l", text) }
    func run(_ arguments: [String]) throws { _ = try Shell.run(tmux, ["-L", server, "-f", "/dev/null"] + arguments) }

    func screen() throws -> String { try run("capture-pane", "-p", "-t", "0") }

    /// Waits (up to 10 s) until the screen shows `text`; returns the screen.
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 10) throws -> String {
        try waitUntil("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// The first screen that `holds` accepts: a frame drawn whole, not one caught half way.
    func waitUntil(_ what: String, timeout: TimeInterval = 10, _ holds: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if holds(last) { return last }
            usleep(30_000)
        }
        Issue.record("timed out waiting for \(what); the screen was:\n\(last)")
        return last
    }
}

@Suite(.serialized) struct TmuxConsoleTests {
    let directory = TemporaryDirectory()

    /// The certpush processes started on this test's database.
    func ourProcesses() throws -> [pid_t] {
        let pids = try Shell.run("/usr/bin/pgrep", ["-x", "certpush"]).stdout.split(separator: "\n")
        return pids.filter { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8))?.contains(directory.path("tmux.sqlite")) == true
        }.compactMap { pid_t($0) }
    }

    /// A tmux session running certpush; nil (and a failure on CI) without tmux.
    func start(width: Int = 100, height: Int = 30) throws -> TmuxSession? {
        guard Shell.find("tmux") != nil else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("tmux is not installed; .ci/run installs it") }
            return nil
        }
        let command = "env CERTPUSH_DB=\(directory.path("tmux.sqlite")) XDG_STATE_HOME=\(directory.path("state")) " +
            "XDG_CONFIG_HOME=\(directory.path("config")) TERM=tmux-256color \(CertpushBinary.url.path); " +
            "echo certpush-exited-$?; sleep 30"
        return try TmuxSession(command: command, width: width, height: height)
    }

    @Test("a new user opens the console on a fresh sandbox, filters, opens details, quits")
    func firstRun() throws {
        guard let tmux = try start() else { return }
        // The hint bar is the last row curses draws: once it shows, the whole first screen has.
        try tmux.waitFor("14 certificates")
        let first = try tmux.waitFor("? help")
        #expect(first.contains("TRAINING"))
        #expect(first.contains("测试证书"))
        #expect(first.contains("www.example.com"))
        try tmux.send("/")
        try tmux.type("sm2")
        let filtered = try tmux.waitFor("1 certificate")
        #expect(filtered.contains("gov-sm2"))
        #expect(!filtered.contains("www.example.com"))
        try tmux.send("Enter", "Enter")
        let details = try tmux.waitFor("Key algorithm")
        #expect(details.contains("SM2"))
        try tmux.send("Escape", "q")
        let after = try tmux.waitFor("certpush-exited-0")
        #expect(!after.contains("SSL Certificates"), "the terminal was not given back")
        #expect(try ourProcesses().isEmpty, "certpush is still running after q")
    }

    @Test("push to ELB in two regions, meet the 10-region cap, Continue Pushing, find the new records, then Configure Now and bind")
    func pushFlow() throws {
        guard let tmux = try start() else { return }
        try tmux.waitFor("14 certificates")
        // The cursor to c12 media-upload (third row), then More > Push.
        try tmux.send("j", "j", "m")
        try tmux.waitFor("c12 · More")
        try tmux.send("Enter")
        try tmux.waitFor("Push Certificate · c12 media-upload")
        try tmux.send("j", "j", "r")
        try tmux.waitFor("ELB regions 0/10")
        for _ in 0..<10 { try tmux.send("Space", "j") }
        try tmux.waitFor("ELB regions 10/10")
        try tmux.send("Space")
        try tmux.waitFor("You can select up to 10 regions.")
        // Keep two regions: clear the other eight.
        for _ in 0..<8 { try tmux.send("k", "Space") }
        try tmux.waitFor("ELB regions 2/10")
        try tmux.send("Enter", "Tab", "Enter")
        // Wait for what is drawn last, so the capture never catches a frame half drawn.
        let results = try tmux.waitFor("[ Close ]")
        #expect(results.contains("Certificate pushed"))
        #expect(results.contains("Configure Now"))
        #expect(results.contains("Continue Pushing"))
        try tmux.send("Tab", "Enter")
        try tmux.waitFor("ELB cn-north-1")
        let page = try tmux.waitUntil("both records pushed") { $0.contains("ELB cn-north-4") && $0.components(separatedBy: "pushed").count - 1 >= 2 }
        #expect(page.contains("regions 0/10"))
        // Push once more to reach the service view, and bind to a listener.
        try tmux.send("j", "j", "r")
        try tmux.waitFor("ELB regions 0/10")
        try tmux.send("j", "j", "Space", "Enter", "Tab", "Enter")
        try tmux.waitFor("Configure Now")
        try tmux.send("Enter")
        try tmux.waitFor("ELB · Elastic Load Balance · cn-east-3")
        try tmux.send("b")
        try tmux.waitFor("Bind it anyway?")
        try tmux.send("Tab", "Enter")
        try tmux.waitFor("r4 listener-web-443 now serves c12 (was c1).")
        // Esc goes back to the push page it came from, then to the list.
        try tmux.send("Escape")
        try tmux.waitFor("Push Certificate · c12 media-upload")
        try tmux.send("Escape", "q")
        try tmux.waitFor("certpush-exited-0")
    }

    @Test("deploy a certificate with smart matching, watch the task finish, roll one resource back, see the old certificate back")
    func deploymentFlow() throws {
        guard let tmux = try start() else { return }
        try tmux.waitFor("14 certificates")
        // wildcard-example is the second row from the bottom.
        try tmux.send("G", "k", "d")
        try tmux.waitFor("Deploy wildcard-example")
        try tmux.send("Enter")
        try tmux.waitFor("1 chosen")
        try tmux.send("Enter")
        try tmux.waitFor("Add them?")
        try tmux.send("Enter")
        try tmux.waitFor("Selected resources 12")
        try tmux.send("Enter")
        try tmux.waitFor("Deployment quota to consume: 0 of 10 left")
        try tmux.send("Enter")
        try tmux.waitFor("11 succeeded, 1 failed, 12 in all · certificates c2")
        try tmux.waitFor("listener in maintenance")
        // The run's end as the message line says it: until then the task may still be running, and `b` is refused.
        try tmux.waitFor("t1 Deploy wildcard-example: partially failed.")
        try tmux.send("b")
        try tmux.waitFor("Put the previous certificate (c1) back on r1")
        try tmux.send("Tab", "Enter")
        try tmux.waitFor("partially failed, 1 rolled back")
        try tmux.waitFor("10 succeeded, 1 failed, 1 rolled back, 12 in all")
        // Cloud Resources > ELB, cn-north-4: listener-web-443 has c1 again.
        // The task opened in Deployment Tasks; Cloud Resources is the next section.
        try tmux.send("Escape", "Tab", "j", "Enter", "j", "j", "j", "Enter")
        try tmux.waitFor("ELB · Elastic Load Balance · cn-north-4")
        let resources = try tmux.waitFor("listener-shop-443")
        let line = resources.split(separator: "\n").first { $0.contains("listener-web-443") }
        #expect(line?.contains(" c1 ") == true)
        try tmux.send("Escape", "Tab", "g", "Enter", "q")
        try tmux.waitFor("certpush-exited-0")
    }

    @Test("it says when the terminal is too small, and comes back when it grows")
    func resize() throws {
        guard let tmux = try start() else { return }
        try tmux.waitFor("14 certificates")
        try tmux.run("resize-window", "-t", "0", "-x", "70", "-y", "20")
        try tmux.waitFor("Terminal too small: 70x20")
        try tmux.run("resize-window", "-t", "0", "-x", "100", "-y", "30")
        try tmux.waitFor("14 certificates")
        try tmux.send("C-c")
        let screen = try tmux.waitFor("certpush-exited-0")
        #expect(!screen.contains("SSL Certificates"))
    }

    @Test("quitting after resizes leaves the shell's screen, not the last frame (issue 22, 14)")
    func quitAfterResizing() throws {
        // A shell in the pane, as a user has: certpush is started from it twice and gives it back.
        guard Shell.find("tmux") != nil, let tmux = try TmuxSession(command: "env PS1='$ ' bash --norc --noprofile") else { return }
        let command = "env CERTPUSH_DB=\(directory.path("tmux.sqlite")) XDG_STATE_HOME=\(directory.path("state")) "
            + "XDG_CONFIG_HOME=\(directory.path("config")) TERM=tmux-256color \(CertpushBinary.url.path); echo certpush-exited-$?"
        try tmux.type("clear; " + command)
        try tmux.send("Enter")
        try tmux.waitFor("14 certificates")
        try tmux.run("resize-window", "-t", "0", "-x", "60", "-y", "20")
        try tmux.waitFor("Terminal too small")
        try tmux.send("q")
        try tmux.waitFor("certpush-exited-0")
        try tmux.run("resize-window", "-t", "0", "-x", "100", "-y", "30")
        try tmux.type("clear; " + command)
        try tmux.send("Enter")
        try tmux.waitFor("14 certificates")
        try tmux.run("resize-window", "-t", "0", "-x", "120", "-y", "35")
        _ = try tmux.waitUntil("the frame at 120 columns") { $0.split(separator: "\n").first.map { $0.count > 100 } ?? false }
        try tmux.send("q")
        let screen = try tmux.waitFor("certpush-exited-0")
        #expect(!screen.contains("│") && !screen.contains("14 certificates"), "the last frame stayed on the shell's screen:\n\(screen)")
    }

    @Test("SIGTERM and a crash give the terminal back", arguments: [SIGTERM, SIGSEGV])
    func signals(signal: Int32) throws {
        guard let tmux = try start() else { return }
        try tmux.waitFor("14 certificates")
        let pids = try ourProcesses()
        #expect(pids.count == 1)
        for pid in pids { kill(pid, signal) }
        let screen = try tmux.waitFor("certpush-exited-\(128 + signal)")
        #expect(!screen.contains("SSL Certificates"), "the terminal was not given back")
    }
}
