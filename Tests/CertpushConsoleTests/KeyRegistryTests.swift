import CertpushConsole
import CertpushCore
import CertpushTestSupport
import Foundation
import Testing
import TerminalKit

/// Every screen the console has, reached as a user reaches it, and what it
/// must show once there.
struct ScreenPath: CustomStringConvertible, Sendable {
    var name: String
    var keys: [String]
    var shows: String
    /// Servers synchronized before the console opens, for the screens only they have.
    var withServers = false
    var description: String { name }

    static let all: [ScreenPath] = [
        ScreenPath(name: "Sections", keys: ["Tab"], shows: "▸ SSL Certificates"),
        ScreenPath(name: "Certificate list", keys: [], shows: "SSL Certificates"),
        ScreenPath(name: "Certificate list, typing a filter", keys: ["/"], shows: "Filter:"),
        ScreenPath(name: "Certificate details", keys: ["Enter"], shows: "SHA-256"),
        ScreenPath(name: "More menu", keys: ["m"], shows: "· More"),
        ScreenPath(name: "Import", keys: ["i"], shows: "Private key file"),
        ScreenPath(name: "Push page", keys: ["G", "p"], shows: "Push Certificate ·"),
        ScreenPath(name: "Region picker", keys: ["G", "p", "j", "r"], shows: "regions 0/10"),
        ScreenPath(name: "Push results", keys: ["G", "p", "Space", "Tab", "Enter"], shows: "Continue Pushing"),
        ScreenPath(name: "Wizard 1 Basics, task name", keys: ["G", "d"], shows: "Task name"),
        ScreenPath(name: "Wizard 1 Basics, a contact", keys: ["G", "d", "Down"], shows: "Task name"),
        ScreenPath(name: "Wizard 1 Basics, Deployed at", keys: ["G", "d", "Down", "Down", "Down", "Down"], shows: "Deployed at"),
        ScreenPath(name: "Wizard 1 Basics, custom time", keys: ["G", "d", "Down", "Down", "Down", "Down", "Space", "Down"], shows: "YYYY-MM-DD"),
        ScreenPath(name: "Wizard 2 Certificates", keys: ["G", "d", "Enter"], shows: "chosen"),
        ScreenPath(name: "Wizard 2, typing a filter", keys: ["G", "d", "Enter", "/"], shows: "Filter:"),
        ScreenPath(name: "Smart matching offer", keys: ["G", "d", "Enter", "Enter"], shows: "Smart matching"),
        ScreenPath(name: "Wizard 3 Resources", keys: ["G", "d", "Enter", "Enter", "Esc"], shows: "Total resources"),
        ScreenPath(name: "Wizard 3, typing a filter", keys: ["G", "d", "Enter", "Enter", "Esc", "/"], shows: "Filter:"),
        ScreenPath(name: "Wizard 4 Preview", keys: ["G", "d", "Enter", "Enter", "Enter", "Enter"], shows: "pairs"),
        ScreenPath(name: "Task details", keys: ["G", "d", "Enter", "Enter", "Enter", "Enter", "Enter"], shows: "in all"),
        ScreenPath(name: "Confirmation", keys: ["G", "d", "Enter", "Enter", "Enter", "Enter", "Enter", "b"], shows: "Cancel"),
        ScreenPath(name: "Deployment Tasks", keys: ["Tab", "j", "Enter"], shows: "Deployment Tasks"),
        ScreenPath(name: "Cloud Resources", keys: ["Tab", "j", "j", "Enter"], shows: "RESOURCES"),
        ScreenPath(name: "Service view", keys: ["Tab", "j", "j", "Enter", "Enter"], shows: "Resources ("),
        ScreenPath(name: "Service view, a regional service", keys: ["Tab", "j", "j", "Enter", "j", "j", "Enter"], shows: "region ←"),
        ScreenPath(name: "Contacts", keys: ["Tab", "G", "k", "k", "Enter"], shows: "Outbox"),
        ScreenPath(name: "Contacts, the outbox", keys: ["Tab", "G", "k", "k", "Enter", "Tab"], shows: "Outbox"),
        ScreenPath(name: "Contact", keys: ["Tab", "G", "k", "k", "Enter", "a"], shows: "Add Contact"),
        ScreenPath(name: "Activity", keys: ["Tab", "G", "k", "Enter"], shows: "ACTION"),
        ScreenPath(name: "Activity, typing a filter", keys: ["Tab", "G", "k", "Enter", "/"], shows: "Filter:"),
        ScreenPath(name: "Activity entry", keys: ["Tab", "G", "k", "Enter", "Enter"], shows: "Detail"),
        ScreenPath(name: "Exercises", keys: ["Tab", "G", "Enter"], shows: "of 14 done"),
        ScreenPath(name: "Rename", keys: ["m", "j", "j", "j", "Enter"], shows: "Rename c"),
        ScreenPath(name: "Help", keys: ["?"], shows: "Keys:"),
        ScreenPath(name: "Server host view", keys: ["Tab", "j", "j", "Enter", "G", "Enter"], shows: "host ← web1 →", withServers: true),
    ]

    /// A console on a fresh sandbox, with this screen on top.
    func open() throws -> ConsoleDriver {
        let fixture = try SandboxFixture()
        if withServers {
            _ = try fixture.workspace.store.write { db in
                try db.replaceServerSites(account: "web", service: "nginx", host: "web1", with: [
                    ServerSite(host: "web1", address: "*", port: 443, serverNames: ["www.example.com"], certificatePath: "/etc/ssl/www.pem",
                               keyPath: "/etc/ssl/www.key", servedFingerprint: nil),
                ])
            }
        }
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 120, height: 35)) { context in
            context.verify = { id in ("\(id) serves c1, as certpush recorded.", false) }
        }
        for key in keys { driver.press(key) }
        return driver
    }
}

/// Key bindings carry their action, so `?`, the hint bar and the keys agree;
/// these tests press every key on every screen to hold that true.
@Suite struct KeyRegistryTests {
    /// Every key a terminal can send, but for Ctrl-C (quits) and the mouse.
    static let everyKey: [Key] = {
        var keys: [Key] = [.enter, .escape, .tab, .backTab, .backspace, .delete, .up, .down, .left, .right,
                           .pageUp, .pageDown, .home, .end]
        keys += (32...126).map { Key.character(Character(UnicodeScalar($0)!)) }
        keys += "abdefghijklmnopqrstuvwxyz".map { Key.control($0) }
        keys += (1...12).map { Key.function($0) }
        keys += [.character("é"), .character("中")]
        return keys
    }()

    @Test("a key that changes a screen is in that screen's registry", arguments: ScreenPath.all)
    func unlistedKeysChangeNothing(path: ScreenPath) throws {
        var driver = try path.open()
        #expect(driver.screen.contains(path.shows), "\(path.name) did not open:\n\(driver.screen)")
        var changed: [String] = []
        for key in Self.everyKey where !driver.console.activeBindings.contains(where: { $0.matches(key) }) {
            driver.send(.function(12))
            let before = driver.screen
            driver.send(key)
            if !driver.running || driver.screen != before {
                changed.append(key.label)
                driver = try path.open()
            }
        }
        #expect(changed.isEmpty, "\(path.name): keys not in the registry changed the screen: \(changed.joined(separator: " "))")
    }

    @Test("? lists every key the screen answers to, the hint bar only those", arguments: ScreenPath.all.filter { $0.name != "Help" })
    func helpAgreesWithTheKeys(path: ScreenPath) throws {
        let driver = try path.open()
        let bindings = driver.console.activeBindings
        // Help from the sections shows the page's keys; text fields have every key, so there `?` types.
        guard bindings.contains(where: { $0.keys.contains(.character("?")) }) else { return }
        driver.press("?")
        if path.name == "Sections" {
            // From the section list, help is the page's: what can be done here.
            #expect(driver.screen.contains("Keys: SSL Certificates") && driver.screen.contains("details"))
            return
        }
        for binding in bindings where !binding.keys.isEmpty && TextWidth.of(binding.description) < 30 {
            #expect(driver.screen.contains(binding.description), "\(path.name): help lacks \(binding.label) \(binding.description)")
        }
    }

    @Test("every screen draws from its state: nothing reaches the store while a frame is painted", arguments: ScreenPath.all)
    func renderReadsOnlyState(path: ScreenPath) throws {
        let driver = try path.open()
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 35)] {
            driver.resize(to: size)
            _ = driver.screen
            driver.press("j")
            _ = driver.screen
        }
        #expect(driver.console.loadsWhilePainting == 0, "\(path.name) reached the store \(driver.console.loadsWhilePainting) times while painting")
    }

    /// The README's key table is made from the registries; this keeps it so.
    /// `CERTPUSH_WRITE_README=1 swift test --filter README` writes it.
    @Test("the README's key table lists every key of every screen")
    func readmeKeyTable() throws {
        var lines = ["| screen | keys |", "|---|---|"]
        for path in ScreenPath.all where path.name != "Help" {
            let driver = try path.open()
            var seen = Set<String>()
            let keys = driver.console.activeBindings.compactMap { binding -> String? in
                let text = "`\(binding.label)` \(binding.description)"
                return seen.insert(text).inserted ? text : nil
            }
            lines.append("| \(path.name) | \(keys.joined(separator: " · ").replacingOccurrences(of: "|", with: "\\|")) |")
        }
        let table = lines.joined(separator: "\n")
        let readmeURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        var readme = try String(contentsOf: readmeURL, encoding: .utf8)
        let start = "<!-- keys: made by KeyRegistryTests -->\n", end = "\n<!-- /keys -->"
        let from = try #require(readme.range(of: start), "README.md has no key table marker")
        let to = try #require(readme.range(of: end, range: from.upperBound..<readme.endIndex))
        if ProcessInfo.processInfo.environment["CERTPUSH_WRITE_README"] == "1" {
            readme.replaceSubrange(from.upperBound..<to.lowerBound, with: table)
            try readme.write(to: readmeURL, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(readme[from.upperBound..<to.lowerBound]) == table,
                "README.md's key table differs from the registries; run CERTPUSH_WRITE_README=1 swift test --filter README")
    }
}
