import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// Columns size to the terminal: readable at 80x24, nothing cut at 120x35
/// while a column stands empty.
@Suite struct LayoutTests {
    static let small = Size(width: 80, height: 24)
    static let large = Size(width: 120, height: 35)

    /// The last row of the screen: the hint bar.
    func hints(_ driver: ConsoleDriver) -> String { driver.buffer.line(driver.size.height - 1) }

    @Test("80x24: certificate names and domains are whole (SOURCE and FAMILY give way), and the hint bar keeps ? help and q quit")
    func certificateListSmall() throws {
        let driver = try ConsoleDriver(size: Self.small)
        #expect(driver.line(containing: "c2 ")?.contains("wildcard-example *.example.com") == true)
        #expect(driver.line(containing: "c12 ")?.contains("media-upload") == true)
        #expect(!driver.screen.contains("SOURCE"))
        #expect(hints(driver).contains("? help") && hints(driver).contains("q quit"))
        let large = try ConsoleDriver(size: Self.large)
        #expect(large.screen.contains("SOURCE") && large.screen.contains("FAMILY"))
    }

    @Test("80x24: the wizard's steps fit inside the frame, shortened")
    func wizardStepsSmall() throws {
        let driver = try ConsoleDriver(size: Self.small).select("www.example.com")
        driver.press("d")
        let steps = try #require(driver.line(containing: "1 Basics"))
        #expect(steps.contains("4 Preview"))
        #expect(steps.hasSuffix("│"))
        let large = try ConsoleDriver(size: Self.large).select("www.example.com")
        large.press("d")
        #expect(large.screen.contains("4 Preview and Submit"))
    }

    @Test("80x24: task details show the whole cause (REGION gives way); the task list says when, not \"now\"")
    func taskSmall() throws {
        let driver = try ConsoleDriver(size: Self.small).select("wildcard-example")
        driver.press("d", "Enter", "Enter", "Enter", "Enter", "Enter")
        #expect(driver.line(containing: "r6 listener-hk-443")?.contains("failed    listener in maintenance") == true)
        driver.press("Esc")
        let row = try #require(driver.line(containing: "t1"))
        #expect(row.contains("partially failed") && row.contains("11-22 12:00") && !row.contains("now"))
    }

    @Test("80x24: push records show the reason; 120x35: the results dialog widens to its longest reason")
    func pushReasons() throws {
        for size in [Self.small, Self.large] {
            let driver = try ConsoleDriver(size: size).select("media-upload")
            // WAF: af-south-1 (not enabled) and cn-north-4.
            driver.press("p", "j", "r", "Space", "j", "j", "j", "j", "j", "j", "j", "j", "j", "Space", "Enter", "Tab", "Enter")
            let failure = try #require(try driver.fixture.workspace.push.records(for: CertificateID(12), limit: 10).first { !$0.succeeded })
            if size == Self.large {
                #expect(driver.screen.contains(failure.reason), "\(driver.screen)")
            }
            driver.press("Tab", "Enter")
            #expect(driver.line(containing: "WAF in af-south-1")?.contains("WAF is not enable") == true, "\(driver.screen)")
        }
    }

    @Test("120x35: FAULT and CERTS grow to their text")
    func wideColumns() throws {
        let driver = try ConsoleDriver(size: Self.large)
        driver.press("Tab", "j", "j", "Enter")
        for _ in 0..<12 where !(driver.buffer.find("ELB").map { driver.buffer[$0.x, $0.y].style == Theme.standard["table.cursor"] } ?? false) {
            driver.press("j")
        }
        driver.press("Enter")
        for _ in 0..<15 where !driver.screen.contains("ap-southeast-1 →") { driver.press("Right") }
        #expect(driver.line(containing: "listener-hk-443")?.contains("listener in maintenance") == true, "\(driver.screen)")
        // R6: each resource says which account it belongs to.
        #expect(driver.screen.contains("ACCOUNT") && driver.line(containing: "listener-hk-443")?.contains("sandbox") == true)
        _ = try driver.fixture.workspace.deployments.create(
            TaskRequest(name: "many", certificates: [CertificateID(10), CertificateID(11), CertificateID(12), CertificateID(13)],
                        resources: [], match: true), runNow: false)
        driver.press("Esc", "Tab", "k", "Enter")
        #expect(driver.line(containing: "many")?.contains("c10 c11 c12 +1 more") == true, "\(driver.screen)")
    }
}
