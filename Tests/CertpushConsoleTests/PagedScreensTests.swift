import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// Screens that page resources in the store (SPEC 9): they must show the same
/// rows a whole list would, wherever the cursor goes, and filter in the store.
@Suite struct PagedScreensTests {
    /// The sandbox plus `count` CDN domains (global) and as many ELB listeners in ap-southeast-1.
    func driver(extra count: Int) throws -> ConsoleDriver {
        let fixture = try SandboxFixture()
        try fixture.workspace.store.write { db in
            for n in 0..<count {
                _ = try db.insertResource(CloudResource(id: ResourceID(0), service: "cdn", region: nil, name: "bulk-cdn-\(n)",
                                                        domain: "h\(n).bulk.example.net", certificateID: nil))
                _ = try db.insertResource(CloudResource(id: ResourceID(0), service: "elb", region: "ap-southeast-1", name: "bulk-elb-\(n)",
                                                        domain: "l\(n).bulk.example.net", certificateID: nil))
            }
        }
        return try ConsoleDriver(fixture: fixture)
    }

    @Test("wizard step 3 filters by text in the store, keeps what was chosen across filters, and counts from the tally")
    func wizardFilters() throws {
        let driver = try driver(extra: 1_500)
        driver.press("G", "d", "Enter", "Enter", "Esc")
        #expect(driver.screen.contains("Total resources 3023 · Selected resources 0"))
        #expect(driver.screen.contains("CDN 1504"))
        driver.press("/").type("bulk-elb-1499")
        #expect(driver.screen.contains("1 shown"))
        #expect(driver.line(containing: "bulk-elb-1499")?.contains("[ ] ") == true)
        driver.press("Enter", "Space")
        #expect(driver.line(containing: "bulk-elb-1499")?.contains("[x] ") == true)
        #expect(driver.screen.contains("Selected resources 1"))
        driver.press("Esc")
        #expect(!driver.screen.contains("Filter:"))
        #expect(driver.screen.contains("Selected resources 1"))
        // Esc without a filter goes back a step, as before.
        driver.press("Esc")
        #expect(driver.screen.contains("1 chosen"))
    }

    @Test("wizard step 3: ← → choose the service, r its region, and the list pages through thousands by End and PgUp")
    func wizardServiceAndRegion() throws {
        let driver = try driver(extra: 1_500)
        driver.press("G", "d", "Enter", "Enter", "Esc", "Right")
        #expect(driver.screen.contains("← CDN →  r all regions"))
        driver.press("Right", "Right", "Right")
        #expect(driver.screen.contains("← ELB →  r all regions"))
        for _ in 0..<20 where !driver.screen.contains("r ap-southeast-1") { driver.press("r") }
        #expect(driver.screen.contains("r ap-southeast-1 · 1501 shown"))
        driver.press("End")
        #expect(driver.line(containing: "bulk-elb-1499")?.contains("ap-southeast-1") == true)
        driver.press("PgUp", "Space")
        #expect(driver.screen.contains("Selected resources 1"))
        #expect(driver.line(containing: "[x]") != nil)
        driver.press("Home")
        #expect(driver.line(containing: "[x]") == nil)
        driver.press("Left", "Left", "Left", "Left")
        #expect(driver.screen.contains("← all services →"))
    }

    @Test("a service view pages 1,500 resources in the store and binds the one in focus")
    func serviceViewPages() throws {
        let driver = try driver(extra: 1_500)
        driver.press("Tab", "j", "j", "Enter")
        // CDN is the first service: open it, focus its resources, go to the end.
        driver.press("Enter")
        #expect(driver.screen.contains("Resources (1504)"))
        driver.press("Tab", "End")
        #expect(driver.line(containing: "bulk-cdn-1499") != nil)
        driver.press("k", "k", "j")
        #expect(driver.line(containing: "bulk-cdn-1498") != nil)
        driver.press("Home")
        #expect(driver.line(containing: "bulk-cdn-1499") == nil)
        driver.press("PgDn", "PgDn")
        #expect(driver.line(containing: "bulk-cdn-") != nil)
    }

    @Test("wizard step 2 filters certificates as you type")
    func certificateFilter() throws {
        let driver = try ConsoleDriver()
        driver.press("Tab", "j", "Enter", "c").type("filter").press("Enter", "Right", "/")
        driver.type("zzz-no-such")
        #expect(driver.screen.contains("No certificate matches."))
        driver.press("Esc")
        #expect(!driver.screen.contains("No certificate matches."))
    }
}
