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

    @Test("80x24: task details keep REGION (two listeners of one name differ by it), Enter shows the cause whole; the task list says when, not \"now\"")
    func taskSmall() throws {
        let driver = try ConsoleDriver(size: Self.small).select("wildcard-example")
        driver.press("d", "Enter", "Enter", "Enter", "Enter", "Enter")
        let pairRow = try #require(driver.line(containing: "r6 listener"), "\(driver.screen)")
        #expect(pairRow.contains("ap-southeast-1") && pairRow.contains("failed"), "\(pairRow)")
        #expect(driver.line(containing: "r1 listener")?.contains("cn-north-4") == true && driver.line(containing: "r4 listener")?.contains("cn-east-3") == true,
                "\(driver.screen)")
        // Enter on r6 opens it whole, the cause uncut.
        for _ in 0..<12 {
            driver.press("Enter")
            if driver.screen.contains("r6 in this task") { break }
            driver.press("Esc", "j")
        }
        #expect(driver.screen.contains("listener in maintenance"), "\(driver.screen)")
        driver.press("Esc")
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
            #expect(driver.line(containing: "WAF af-south-1")?.contains("WAF is not enable") == true, "the region whole, and the reason: \(driver.screen)")
        }
    }

    @Test("80x24: a push to 21 targets: the picker refuses an 11th region out loud; the result scrolls, says how many more, and keeps the next step in view (issue 22, 5, 6)")
    func manyTargets() throws {
        let driver = try ConsoleDriver(size: Self.small).select("media-upload")
        driver.press("p", "j", "r")
        for index in 0..<10 { driver.press("Space"); if index < 9 { driver.press("j") } }
        #expect(driver.screen.contains("10/10 selected"), "\(driver.screen)")
        driver.press("j", "Space")
        #expect(driver.screen.contains("You can select up to 10 regions."), "the 11th Space says why: \(driver.screen)")
        driver.press("Enter", "j", "r")
        for index in 0..<10 { driver.press("Space"); if index < 9 { driver.press("j") } }
        driver.press("Enter", "k", "k", "Space", "Tab", "Enter")
        let records = try driver.fixture.workspace.push.records(for: CertificateID(12), limit: 30)
        #expect(records.count == 21, "\(driver.screen)")
        let failed = records.filter { !$0.succeeded }.count
        let screen = driver.screen
        #expect(screen.contains("Pushed to \(21 - failed) of 21 targets"), "\(screen)")
        #expect(screen.contains("more of 21 targets (↑↓ scroll)"), "\(screen)")
        #expect(screen.contains("It must still be configured"), "\(screen)")
        // Scrolled to the end, the last target is there, and the next step still is.
        for _ in 0..<30 { driver.press("Down") }
        let last = try #require(records.first)
        #expect(driver.screen.contains(last.target.description), "\(driver.screen)")
        #expect(driver.screen.contains("It must still be configured"))
    }

    @Test("80x24: certificate details show the whole SHA-256, on two lines rather than cut (issue 22, 13)")
    func fingerprintWhole() throws {
        let driver = try ConsoleDriver(size: Self.small).select("media-upload")
        let fingerprint = try #require(try driver.fixture.certificates.list(CertificateQuery()).first { $0.name == "media-upload" }?.fingerprint)
        driver.press("Enter")
        let label = try #require(driver.line(containing: "SHA-256"))
        let lines = driver.screen.split(separator: "\n").map(String.init)
        let at = try #require(lines.firstIndex(of: label))
        let value = [label, lines[at + 1]].map { $0.replacingOccurrences(of: "SHA-256", with: "").filter(\.isHexDigit) }.joined()
        #expect(value.hasSuffix(fingerprint) || value == fingerprint, "\(driver.screen)")
        #expect(!label.contains("…"))
    }

    @Test("80x24: e says what the list shows, where there is room for it (issue 22, 14)")
    func expiringLabel() throws {
        let driver = try ConsoleDriver(size: Self.small)
        driver.press("e")
        #expect(driver.screen.contains("expiring ≤30 d or expired · ") || driver.screen.contains("expiring or expired"), "\(driver.screen)")
        driver.press("e")
        #expect(driver.screen.contains("14 certificates"), "\(driver.screen)")
    }

    @Test("80x24: a sentence wider than the screen wraps above the hint bar instead of being cut (issue 22, 13)")
    func longMessage() throws {
        let driver = try ConsoleDriver(size: Self.small).select("media-upload")
        driver.press("m", "x")
        let lines = driver.screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let start = try #require(lines.firstIndex { $0.hasPrefix("c12 is in use") }, "\(driver.screen)")
        let said = lines[start...].prefix(2).joined(separator: " ")
        #expect(said.hasPrefix("c12 is in use on 1 resource (r9 img.example.com); bind another certificate there first."), "\(driver.screen)")
        #expect(!said.contains("…"))
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
