import CertpushCore
import CertpushSetup
import CertpushTestSupport
import Foundation
import Testing

/// D15: notify_command gets each message on standard input; a command that
/// does not read it, fails or hangs is recorded, and never stops certpush.
@Suite struct NotifierTests {
    let notification = TaskNotification(taskID: TaskID(3), contact: "Ana Ops", at: testNow,
                                        message: String(repeating: "Deployment task t3 ended. ", count: 4_000))

    @Test("a command that does not read its input never kills certpush with SIGPIPE")
    func unreadInput() {
        for command in ["true", "exec 0<&-; sleep 0.05", "echo done > /dev/null"] {
            for _ in 0..<5 {
                let failure = Notifier.deliver(notification, command: command)
                #expect(failure == nil || failure == "notify_command did not read the message")
            }
        }
        // A large message the command never reads is reported as such.
        #expect(Notifier.deliver(notification, command: "exec 0<&-; sleep 0.1") == "notify_command did not read the message")
    }

    @Test("a command that hangs is stopped at the time limit and reported")
    func timeLimit() {
        let started = Date()
        #expect(Notifier.deliver(notification, command: "sleep 30", timeLimit: 1) == "notify_command timed out after 1 s")
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a failing command is reported with its status; one that reads everything is delivered")
    func status() throws {
        #expect(Notifier.deliver(notification, command: "cat > /dev/null; exit 3") == "notify_command exited with status 3")
        let directory = TemporaryDirectory()
        let out = directory.path("got.txt")
        #expect(Notifier.deliver(notification, command: "cat > \(out)") == nil)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == notification.message + "\n")
        // No command set: the outbox says it was not sent, never that it may have been (issue 22, 11).
        #expect(Notifier.deliver(notification, command: nil) == "not sent: no notify_command is set in config.toml")
        #expect(Notifier.deliver(notification, command: "") == Notifier.noCommand)
    }

    @Test("D15: a delivery failure is kept in the outbox, and the other contacts are still notified")
    func outboxKeepsFailure() throws {
        let fixture = try SandboxFixture()
        let deployments = DeploymentService(
            store: fixture.workspace.store, drivers: fixture.workspace.drivers, time: fixture.time, user: "u", processID: getpid(),
            isAlive: { _ in true }, deliver: { $0.contact == "Ana Ops" ? "notify_command exited with status 3" : nil })
        let partner = try fixture.certificateID(named: "partner-shared")
        _ = try deployments.create(TaskRequest(name: "n", certificates: [partner], match: true, contacts: ["Ana Ops", "Bo Security"]))
        let outbox = try deployments.outbox()
        #expect(outbox.count == 2)
        #expect(outbox.first { $0.contact == "Ana Ops" }?.deliveryFailure == "notify_command exited with status 3")
        #expect(outbox.first { $0.contact == "Bo Security" }?.deliveryFailure == "")
    }
}
