import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// More > Push > services and regions > Push Certificate > results > Configure Now > bind (SPEC 4, 7).
@Suite struct PushFlowTests {
    /// The list with the cursor on the named certificate.
    func driverOn(_ name: String) throws -> ConsoleDriver { try ConsoleDriver().select(name) }

    @Test("m opens More with Push, Deploy, Details, Delete; Push opens the push page")
    func moreMenu() throws {
        let driver = try driverOn("media-upload")
        driver.press("m")
        for item in ["Push", "Deploy", "Details", "Delete"] { #expect(driver.screen.contains(item)) }
        driver.press("Enter")
        let screen = driver.screen
        #expect(screen.contains("Push Certificate · c12 media-upload"))
        #expect(screen.contains("[ ] CDN"))
        #expect(screen.contains("[ ] WAF"))
        #expect(screen.contains("regions 0/10"))
        #expect(screen.contains("[ Push Certificate ]"))
        #expect(screen.contains("No pushes yet."))
        #expect(!screen.contains("DCDN"))
    }

    @Test("P1/P2 refusals come before the page opens, in one sentence")
    func refusedCertificates() throws {
        let driver = try driverOn("csr-by-hand")
        driver.press("p")
        #expect(driver.screen.contains("c6 cannot be pushed: its CSR was generated manually; the private key is not held here."))
        #expect(!driver.screen.contains("Push Certificate ·"))
        let expired = try driverOn("old.example.com")
        expired.press("p")
        #expect(expired.screen.contains("c5 cannot be pushed: it is expired"))
    }

    @Test("the region picker counts n/10, marks regions not enabled, and refuses an 11th")
    func regionPicker() throws {
        let driver = try driverOn("media-upload")
        driver.press("p", "j", "j", "r")
        #expect(driver.screen.contains("ELB regions 0/10"))
        #expect(driver.line(containing: "sa-brazil-1")?.contains("(not enabled)") == true)
        for _ in 0..<10 { driver.press("Space", "j") }
        #expect(driver.screen.contains("ELB regions 10/10"))
        driver.press("Space")
        #expect(driver.screen.contains("You can select up to 10 regions."))
        #expect(driver.screen.contains("ELB regions 10/10"))
        driver.press("Enter")
        #expect(driver.screen.contains("[x] ELB"))
        #expect(driver.screen.contains("regions 10/10"))
    }

    @Test("80 columns: Tab is in the hint bar; after Configure Now and Esc the push page starts afresh, the services in focus (issue 22, 7)")
    func pushPageAt80() throws {
        let driver = try ConsoleDriver(size: Size(width: 80, height: 24)).select("media-upload")
        driver.press("p")
        #expect(driver.screen.contains("Tab to the Push button"), "\(driver.screen)")
        driver.press("j", "r", "Space", "Enter", "Tab")
        #expect(driver.screen.contains("Tab to the services"))
        driver.press("Enter")
        #expect(driver.screen.contains("[ Configure Now ]"), "\(driver.screen)")
        driver.press("Enter")
        #expect(driver.screen.contains("Web Application Firewall") || driver.screen.contains("WAF"), "\(driver.screen)")
        driver.press("Esc")
        #expect(driver.screen.contains("Push Certificate · c12"), "Esc leads back to the push page: \(driver.screen)")
        driver.press("Space")
        #expect(driver.screen.contains("[x] CDN"), "Space checks the service in focus again: \(driver.screen)")
        driver.press("Tab", "Down")
        #expect(driver.screen.contains("Tab to the Push button"), "↓ from the button goes round to the services")
    }

    @Test("a push with a good and a failing target shows both, then Continue Pushing clears the page and shows the records")
    func continuePushing() throws {
        let driver = try driverOn("media-upload")
        driver.press("p", "j", "r", "Space", "j", "j", "j", "j", "j", "j", "j", "j", "j", "Space", "Enter")
        #expect(driver.screen.contains("regions 2/10: cn-north-4, af-south-1"))
        driver.press("Tab", "Enter")
        #expect(driver.screen.contains("Pushed to 1 of 2 targets"), "the title says one failed")
        #expect(driver.screen.contains("✓ WAF in cn-north-4"))
        #expect(driver.screen.contains("✗ WAF in af-south-1: WAF is not enabled in af-south-1"))
        #expect(driver.screen.contains("must still be configured"))
        for button in ["[ Configure Now ]", "[ Continue Pushing ]", "[ Close ]"] { #expect(driver.screen.contains(button)) }
        driver.press("Tab", "Enter")
        #expect(!driver.screen.contains("Pushed to 1 of 2 targets"))
        #expect(driver.screen.contains("[ ] WAF"))
        #expect(driver.screen.contains("regions 0/10"))
        #expect(driver.line(containing: "WAF af-south-1")?.contains("failed") == true)
        #expect(driver.line(containing: "WAF cn-north-4")?.contains("pushed") == true)
    }

    @Test("Configure Now opens the service with the pushed certificate; b warns that it does not cover the listener's domain, asks, binds and says so; Esc goes back to the push page")
    func configureNow() throws {
        let driver = try driverOn("media-upload")
        driver.press("p", "j", "j", "r", "Space", "j", "j", "Space", "Enter", "Tab", "Enter", "Enter")
        let screen = driver.screen
        #expect(screen.contains("ELB · Elastic Load Balance · cn-north-4"))
        #expect(screen.contains("listener-shop-443"))
        #expect(driver.buffer.line(2).contains("Cloud Resources") || screen.contains("▸ Cloud Resources"))
        // The cursor is on the pushed certificate in the store, and on the first resource.
        let stored = try #require(driver.buffer.find("media-upload"))
        #expect(driver.buffer[stored.x, stored.y].style == Theme.standard["table.cursor.unfocused"])
        driver.press("j", "j", "b")
        #expect(driver.screen.contains("c12 (media.example.com, img.example.com) does not"))
        #expect(driver.screen.contains("cover shop.example.cn, the domain of r3"))
        driver.press("Esc")
        #expect(driver.line(containing: "listener-shop-443")?.contains("c12") == false)
        driver.press("b", "Tab", "Enter")
        #expect(driver.screen.contains("r3 listener-shop-443 now serves c12 (it had no certificate)."))
        #expect(driver.line(containing: "listener-shop-443")?.contains("c12") == true)
        // Esc returns to the push page it came from, in the certificates section.
        driver.press("Esc")
        #expect(driver.screen.contains("Push Certificate · c12 media-upload"))
        #expect(driver.screen.contains("▸ SSL Certificates"))
        driver.press("Esc")
        #expect(driver.screen.contains("14 certificates"))
    }

    @Test("binding to a faulty listener fails with its cause and changes nothing")
    func faultyListener() throws {
        let driver = try driverOn("media-upload")
        driver.press("p", "j", "j", "r")
        for _ in 0..<6 { driver.press("j") }
        driver.press("Space", "Enter", "Tab", "Enter", "Enter")
        #expect(driver.screen.contains("ap-southeast-1"))
        driver.press("b", "Tab", "Enter")
        #expect(driver.screen.contains("Binding to r6 failed: listener in maintenance."))
        #expect(driver.line(containing: "listener-hk-443")?.contains("c2") == true)
    }

    @Test("Close goes back to the certificate list; details then show where it is in use")
    func closeAndUsage() throws {
        let driver = try driverOn("partner-shared")
        driver.press("p", "Space", "Tab", "Enter")
        #expect(driver.screen.contains("✓ CDN"))
        driver.press("Tab", "Tab", "Enter")
        #expect(driver.screen.contains("14 certificates"))
        driver.press("Enter")
        #expect(driver.screen.contains("CDN (pushed)"))
        #expect(driver.screen.contains("partner.example.io · DCDN"))
    }

    @Test("Delete asks, says it cannot be restored, and defaults to Cancel")
    func delete() throws {
        let driver = try driverOn("revoked-demo")
        driver.press("m", "G", "Enter")
        #expect(driver.screen.contains("cannot be restored"))
        driver.press("Enter")
        #expect(driver.screen.contains("14 certificates"))
        driver.press("m", "G", "Enter", "Tab", "Enter")
        #expect(driver.screen.contains("Deleted c9 revoked-demo."))
        #expect(driver.screen.contains("13 certificates"))
    }

    @Test("Cloud Resources lists every service; Enter opens one; ← → change region")
    func resourcesSection() throws {
        let driver = try ConsoleDriver()
        driver.press("Tab", "j", "j", "Enter")
        for code in CloudService.all.map(\.label) { #expect(driver.screen.contains(code)) }
        driver.press("j", "j", "j", "Enter")
        #expect(driver.screen.contains("ELB · Elastic Load Balance · cn-north-4"))
        #expect(driver.screen.contains("listener-api-443"))
        driver.press("Right")
        #expect(driver.screen.contains("· cn-north-1"))
        #expect(driver.screen.contains("No resources here."))
    }
}
