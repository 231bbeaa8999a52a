import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// The wizard checks each step as it is left, with the core's sentences.
@Suite struct WizardChecksTests {
    @Test("step 1 refuses an empty name, a malformed time (naming its zone) and a past one; ISO 8601 is taken")
    func basics() throws {
        let driver = try ConsoleDriver()
        driver.press("Tab", "j", "Enter", "c", "Enter")
        #expect(driver.screen.contains("The task name"))
        #expect(driver.screen.contains("1 Basics") && !driver.screen.contains("chosen"))
        driver.type("night push").press("Down", "Down", "Down", "Down", "Space", "Down")
        #expect(driver.screen.contains("YYYY-MM-DD HH:MM in UTC, or ISO 8601"))
        driver.type("tomorrow 9am").press("Enter")
        #expect(driver.screen.contains("\"tomorrow 9am\" is not a time: write 2026-12-01 09:30 (UTC) or"))
        #expect(!driver.screen.contains("chosen"))
        for _ in 0..<12 { driver.press("Backspace") }
        driver.type("2026-11-21 09:00").press("Enter")
        #expect(driver.screen.contains("The custom deployment time must be in the future."))
        for _ in 0..<16 { driver.press("Backspace") }
        driver.type("2026-11-23T09:30:00+08:00").press("Enter")
        #expect(driver.screen.contains("0 chosen"))
    }

    @Test("step 2 marks what cannot be deployed and why; choosing one is refused; a Deploy on one is stopped at step 2")
    func certificates() throws {
        let driver = try ConsoleDriver().select("old.example.com")
        driver.press("d", "Enter")
        #expect(driver.line(containing: "old.example.com")?.contains("expired") == true)
        #expect(driver.line(containing: "测试证书")?.contains("Chinese name (D3)") == true)
        #expect(driver.line(containing: "revoked-demo")?.contains("revoked") == true)
        #expect(driver.line(containing: "csr-by-hand")?.contains("no private key") == true)
        driver.press("Enter")
        #expect(driver.screen.contains("c5 cannot be deployed: it is expired."))
        #expect(!driver.screen.contains("Total resources"))
        // Unchoose it, then try the Chinese-named one: refused, nothing chosen.
        driver.press("Space", "/").type("测试").press("Enter", "Space")
        #expect(driver.screen.contains("c7 cannot be deployed: its name contains Chinese characters."))
        #expect(driver.screen.contains("1 chosen"))
    }

    @Test("preview flags what D7 will refuse (domain mismatch) before the task runs, and still lets it be submitted")
    func domainMismatchAtPreview() throws {
        let fixture = try SandboxFixture()
        // An ELB listener for www.example.com that holds api.example.org's certificate (c3).
        let listener = try fixture.workspace.store.write { db in
            try db.insertResource(CloudResource(id: ResourceID(0), service: "elb", region: "cn-north-4", name: "listener-odd-443",
                                                domain: "www.example.com", certificateID: CertificateID(3)))
        }
        let driver = try ConsoleDriver(fixture: fixture).select("www.example.com")
        driver.press("d", "Enter", "Enter", "Esc", "/").type("listener-odd").press("Enter", "Space", "Enter")
        #expect(driver.screen.contains("! \(listener) will fail with \"domain mismatch\": c1 does not cover api.example.org"))
        #expect(driver.screen.contains("[ Submit ]"))
    }
}

/// Refused before anything is confirmed, and said plainly after.
@Suite struct RefuseFirstTests {
    /// A finished task of wildcard-example over its smart matches: r6 failed (listener in maintenance).
    func finishedTask() throws -> ConsoleDriver {
        let driver = try ConsoleDriver().select("wildcard-example")
        driver.press("d", "Enter", "Enter", "Enter", "Enter", "Enter")
        #expect(driver.screen.contains("partially failed"))
        return driver
    }

    func moveTo(_ text: String, in driver: ConsoleDriver) {
        for _ in 0..<20 where !(driver.buffer.find(text).map { driver.buffer[$0.x, $0.y].style == Theme.standard["table.cursor"] } ?? false) {
            driver.press("j")
        }
    }

    @Test("b on a failed resource is refused with the reason, no confirmation; roll back says what is back and CERT shows it")
    func rollBack() throws {
        let driver = try finishedTask()
        moveTo("r6 listener-hk-443", in: driver)
        driver.press("b")
        #expect(driver.screen.contains("r6 cannot be rolled back: its status is failed, not succeeded."))
        #expect(!driver.screen.contains("[ Roll Back ]"))
        driver.press("g", "b", "Tab", "Enter")
        #expect(driver.screen.contains("r1 listener-web-443: c1 is back (was c2)."))
        let row = try #require(driver.line(containing: "r1 listener-web-443"))
        #expect(row.contains("rolled back") && row.contains(" c1 ") && !row.contains(" c2 "))
    }

    @Test("retry of an official certificate's pair says it takes no quota, then gives each resource's outcome")
    func retry() throws {
        let driver = try finishedTask()
        driver.press("r")
        #expect(driver.screen.contains("cannot be retried: its status is succeeded, not failed or skipped."))
        moveTo("r6 listener-hk-443", in: driver)
        driver.press("r")
        #expect(driver.screen.contains("take no deployment quota."))
        #expect(!driver.screen.contains("consumes quota"))
        driver.press("Tab", "Enter")
        #expect(driver.screen.contains("Retried: r6 listener-hk-443: failed (listener in maintenance)."))
    }

    @Test("Delete on a certificate in use is refused before the confirmation")
    func deleteInUse() throws {
        let driver = try ConsoleDriver().select("www.example.com")
        driver.press("m", "G", "Enter")
        #expect(driver.screen.contains("c1 is in use on"))
        #expect(!driver.screen.contains("It cannot be restored."))
    }
}

/// Activity and the outbox: scroll, filter, open one in full.
@Suite struct LogScreensTests {
    @Test("Activity filters with / and opens an entry in full with Enter")
    func activity() throws {
        let driver = try ConsoleDriver()
        _ = try driver.fixture.workspace.deployments.create(TaskRequest(name: "logged", certificates: [CertificateID(10)], match: true))
        driver.press("Tab", "G", "k", "Enter")
        #expect(driver.screen.contains("ACTION"))
        driver.press("/").type("task.create").press("Enter")
        #expect(driver.line(containing: "task.create") != nil)
        #expect(driver.line(containing: "resources.sync") == nil)
        driver.press("Enter")
        #expect(driver.screen.contains("Activity · "))
        #expect(driver.screen.contains("Subject"))
        driver.press("Esc", "Esc")
        #expect(!driver.screen.contains("Filter:"))
    }

    @Test("the outbox takes the focus with Tab, filters, and opens a message in full")
    func outbox() throws {
        let driver = try ConsoleDriver()
        _ = try driver.fixture.workspace.deployments.create(TaskRequest(name: "tell", certificates: [CertificateID(10)], match: true,
                                                                        contacts: ["Ana Ops"]))
        driver.press("Tab", "G", "k", "k", "Enter", "Tab")
        #expect(driver.screen.contains("Outbox (1)"))
        driver.press("/").type("nothing like it")
        #expect(driver.screen.contains("No message matches."))
        driver.press("Esc", "Enter")
        #expect(driver.screen.contains("Message to Ana Ops"))
        #expect(driver.screen.contains("tell"))
    }

    @Test("a contact's email that is not an address is refused with a sentence, and nothing is saved")
    func email() throws {
        let driver = try ConsoleDriver()
        driver.press("Tab", "G", "k", "k", "Enter", "a").type("Eve").press("Tab").type("eve at example").press("Enter")
        #expect(driver.screen.contains("\"eve at example\" is not an email address"))
        driver.press("Esc")
        #expect(driver.line(containing: "Eve") == nil)
        #expect(EmailRule.problem(with: "eve@example.com") == nil)
        for bad in ["eve", "@example.com", "eve@", "eve@example", "eve@@example.com", "eve@exa mple.com", "eve@.com"] {
            #expect(EmailRule.problem(with: bad) != nil, "\(bad)")
        }
    }
}
