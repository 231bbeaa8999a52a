import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// SPEC 15 in the console: the Exercises section, exercises done by keys and
/// marked as soon as the workspace shows it, and W6's keys.
@Suite struct ExercisesConsoleTests {
    func openExercises(_ driver: ConsoleDriver) {
        driver.press("Tab", "G", "Enter")
    }

    @Test("E1: a training workspace has an Exercises section listing every exercise to do; a live one has none")
    func section() throws {
        let driver = try ConsoleDriver(size: Size(width: 80, height: 24))
        #expect(driver.screen.contains("Exercises"))
        openExercises(driver)
        #expect(driver.screen.contains("0 of 14 done"))
        #expect(driver.line(containing: " 1  Read a certificate's details")?.contains("·") == true)
        #expect(driver.screen.contains("Goal: Open the details of any certificate"), "\(driver.screen)")
        driver.press("j")
        #expect(driver.screen.contains("Goal: Push a certificate into the CDN service's"))
        let live = try ConsoleDriver(fixture: try SandboxFixture(live: true), size: Size(width: 80, height: 24))
        #expect(!live.screen.contains("Exercises"))
    }

    @Test("E3: details opened by keys mark the first exercise at the next tick, and the message says what was learned")
    func detailsByKeys() throws {
        let driver = try ConsoleDriver(size: Size(width: 100, height: 30))
        driver.console.tick()
        #expect(driver.screen.contains("Exercise done") == false)
        driver.press("Enter")
        driver.console.tick()
        #expect(driver.screen.contains("Exercise done: Read a certificate's details."), "\(driver.screen)")
        driver.press("Esc")
        openExercises(driver)
        #expect(driver.screen.contains("1 of 14 done"))
        #expect(driver.line(containing: " 1  Read a certificate's details")?.contains("✓") == true)
    }

    @Test("E3: the region picker refuses an 11th region in P5's words, and that marks the region-cap exercise")
    func regionCapByKeys() throws {
        let driver = try ConsoleDriver(size: Size(width: 100, height: 30)).select("api.example.org")
        driver.press("p", "j", "j", "r")
        for _ in 0..<10 { driver.press("Space", "j") }
        #expect(driver.screen.contains("10/10"))
        driver.press("Space")
        #expect(driver.screen.contains("You can select up to 10 regions."), "\(driver.screen)")
        driver.console.tick()
        driver.press("Esc", "Esc")
        openExercises(driver)
        #expect(driver.line(containing: "Meet the region cap")?.contains("✓") == true, "\(driver.screen)")
        #expect(driver.line(containing: "Push to ELB in three regions")?.contains("·") == true)
    }

    @Test("W6 and E2: More > Rename resolves the CDN name clash; f ends the listener's maintenance; R in Exercises resets the sandbox")
    func renameFixReset() throws {
        let fixture = try SandboxFixture()
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 100, height: 30)).select("static-assets")
        driver.press("m", "j", "j", "j", "Enter")
        #expect(driver.screen.contains("Rename c8"))
        driver.press("Ctrl-U")
        driver.type("static-2026")
        driver.press("Enter")
        #expect(driver.screen.contains("Renamed c8 from static-assets to static-2026."), "\(driver.screen)")
        #expect(try fixture.certificates.certificate(CertificateID(8)).name == "static-2026")
        // A bad name is one sentence in the dialog, and nothing changes.
        driver.select("static-2026").press("m", "j", "j", "j", "Enter", "Ctrl-U", "Enter")
        #expect(driver.screen.contains("The certificate name must be 1 to 64 characters."))
        driver.press("Esc")
        #expect(try fixture.certificates.certificate(CertificateID(8)).name == "static-2026")

        // Cloud Resources > ELB: f on the listener in maintenance ends it.
        driver.press("Tab", "j", "j", "Enter")
        driver.select("ELB").press("Enter", "Tab")
        for _ in 0..<15 where !driver.screen.contains("listener-hk-443") { driver.press("Right") }
        #expect(driver.screen.contains("listener-hk-443"), "\(driver.screen)")
        driver.press("f")
        #expect(driver.screen.contains("r6 listener-hk-443: the planned failure is over"), "\(driver.screen)")
        #expect(try fixture.resource("elb", "listener-hk-443").fault == nil)

        // Exercises: R, confirm: the sandbox as seeded.
        driver.press("Esc", "Tab", "G", "Enter", "R", "Tab", "Enter")
        #expect(driver.screen.contains("The sandbox is as it was seeded"), "\(driver.screen)")
        #expect(try fixture.certificates.certificate(CertificateID(8)).name == "static-assets")
        #expect(try fixture.resource("elb", "listener-hk-443").fault == "listener in maintenance")
    }

    @Test("E5: ? explains the words of the screen in view, after its keys, and scrolls at 80x24")
    func helpExplainsWords() throws {
        let driver = try ConsoleDriver(size: Size(width: 80, height: 24))
        driver.press("?")
        #expect(driver.screen.contains("Keys: SSL Certificates"))
        for _ in 0..<40 where !driver.screen.contains("hosted: uploaded with its private key") { driver.press("j") }
        #expect(driver.screen.contains("Words on this screen"), "\(driver.screen)")
        #expect(driver.screen.contains("hosted: uploaded with its private key"))
        for _ in 0..<40 where !driver.screen.contains("shared: an uploaded certificate free to deploy") { driver.press("j") }
        #expect(driver.screen.contains("shared: an uploaded certificate free to deploy"))
        driver.press("Esc", "d")
        #expect(driver.screen.contains("Create Deployment Task"))
        // The name field takes ? as text; from the contacts it is help.
        driver.press("Tab", "?")
        for _ in 0..<60 where !driver.screen.contains("quota: deployment units") { driver.press("j") }
        #expect(driver.screen.contains("quota: deployment units"), "\(driver.screen)")
        for _ in 0..<60 where !driver.screen.contains("pair: one certificate on one resource") { driver.press("k") }
        #expect(driver.screen.contains("pair: one certificate on one resource"))
    }

    @Test("E5: every word a screen names is in the glossary, and each explanation is a plain sentence")
    func glossaryIsComplete() {
        for word in ["official", "uploaded", "hosted", "shared", "quota", "pair", "push", "bind", "roll back"] {
            #expect(Glossary.explain(word)?.isEmpty == false, "\(word)")
        }
    }
}
