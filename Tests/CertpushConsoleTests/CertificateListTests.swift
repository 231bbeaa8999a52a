import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

@Suite struct CertificateListTests {
    @Test("the first screen: title with TRAINING (W4), the five sections, the list with its columns")
    func firstScreen() throws {
        let driver = try ConsoleDriver()
        let screen = driver.screen
        #expect(driver.buffer.line(0).hasSuffix("TRAINING"))
        #expect(driver.buffer.line(0).contains("certpush.sqlite"))
        for section in ["SSL Certificates", "Deployment Tasks", "Cloud Resources", "Contacts", "Activity"] {
            #expect(screen.contains(section))
        }
        for column in ["ID", "NAME", "DOMAIN", "FAMILY", "SOURCE", "STATUS", "EXPIRES"] { #expect(screen.contains(column)) }
        #expect(screen.contains("14 certificates"))
        #expect(driver.line(containing: "c1 ")?.contains("www.example.com") == true)
        #expect(driver.line(containing: "gov-sm2")?.contains("SM") == true)
        #expect(driver.line(containing: "测试证书") != nil)
        #expect(driver.line(containing: "old.example.com")?.contains("expired") == true)
        #expect(driver.line(containing: "new.example.com")?.contains("pending") == true)
        #expect(driver.buffer.line(driver.size.height - 1).contains("? help"))
    }

    @Test("expiry is shown in days and coloured: under 30 warn, under 7 and expired error")
    func expiryColours() throws {
        let driver = try ConsoleDriver()
        let buffer = driver.buffer
        let theme = Theme.standard
        func style(ofRowWith name: String, text: String) -> Style? {
            guard let row = buffer.find(name)?.y, let line = Optional(buffer.line(row)), let range = line.range(of: text) else { return nil }
            let column = line.distance(from: line.startIndex, to: range.lowerBound)
            return buffer.find(String(line[range]) + "")?.y == row ? buffer[column, row].style : buffer[column, row].style
        }
        #expect(driver.line(containing: "api.example.org")?.hasSuffix("20 d│") == true)
        #expect(style(ofRowWith: "api.example.org", text: "20 d") == theme["status.warn"])
        #expect(style(ofRowWith: "pay.example.net", text: "5 d") == theme["status.error"])
        #expect(style(ofRowWith: "old.example.com", text: "expired") == theme["status.error"])
    }

    @Test("j/k move the cursor, Enter opens details with every field and never the key")
    func details() throws {
        let driver = try ConsoleDriver()
        driver.press("G", "Enter")
        let screen = driver.screen
        #expect(screen.contains("Certificate c1 · www.example.com"))
        for label in ["Primary domain", "Domains", "Key algorithm", "Not before", "Not after", "Issuer", "Serial", "SHA-256",
                      "Chain", "Private key", "CSR", "Shared", "In stores"] {
            #expect(screen.contains(label), "missing \(label)")
        }
        #expect(screen.contains("www.example.com, example.com"))
        #expect(screen.contains("RSA-2048"))
        #expect(screen.contains("held here"))
        #expect(screen.contains("ELB in cn-north-4 (pushed)"))
        #expect(!screen.contains("PRIVATE KEY"))
        driver.press("End")
        #expect(driver.screen.contains("Bound to"))
        #expect(driver.screen.contains("listener-web-443 · www.example.com · ELB cn-north-4"))
        driver.press("Esc")
        #expect(driver.screen.contains("14 certificates"))
    }

    @Test("SPEC 2: an upload without its key is issued and says 'no private key held', never 'generated here'; Delete does not mention a key")
    func keylessUpload() throws {
        let fixture = try SandboxFixture()
        let keyless = try fixture.certificates.importCertificate(ImportRequest(certificate: Fixtures.file("rsa-4096.crt.pem")))
        let driver = try ConsoleDriver(fixture: fixture)
        #expect(driver.line(containing: "\(keyless.id) ")?.contains("issued") == true)
        driver.press("Enter")
        let screen = driver.screen
        #expect(screen.contains("no private key held"))
        #expect(!screen.contains("generated here"))
        #expect(!screen.contains("manually"))
        driver.press("Esc", "m")
        driver.press("End", "Enter")
        #expect(driver.screen.contains("Delete \(keyless.id) secure.example.net? It cannot be"))
        #expect(!driver.screen.contains("private key"))
    }

    @Test("/ filters as you type; Esc clears it")
    func filter() throws {
        let driver = try ConsoleDriver()
        driver.press("/").type("exam")
        #expect(driver.screen.contains("Filter: exam"))
        driver.type("ple.org")
        #expect(driver.screen.contains("1 certificate"))
        #expect(driver.line(containing: "api.example.org") != nil)
        #expect(driver.line(containing: "www.example.com") == nil)
        driver.type("zzz")
        #expect(driver.screen.contains("No certificate matches."))
        driver.press("Esc")
        #expect(driver.screen.contains("14 certificates"))
        #expect(!driver.screen.contains("Filter:"))
    }

    @Test("while filtering, q and ? are text, not commands")
    func filterTakesLetters() throws {
        let driver = try ConsoleDriver()
        driver.press("/", "q", "?")
        #expect(driver.running)
        #expect(driver.screen.contains("Filter: q?"))
        driver.press("Enter", "q")
        #expect(!driver.running)
    }

    @Test("tabs: All, Official, Uploaded")
    func tabs() throws {
        let driver = try ConsoleDriver()
        driver.press("Right")
        #expect(driver.line(containing: "gov-sm2") == nil)
        #expect(driver.line(containing: "www.example.com") != nil)
        driver.press("Right")
        #expect(driver.screen.contains("4 certificates"))
        #expect(driver.line(containing: "gov-sm2") != nil)
        #expect(driver.line(containing: "www.example.com") == nil)
        driver.press("Right")
        #expect(driver.screen.contains("14 certificates"))
    }

    @Test("e shows the certificates that need action: expiring within 30 days, or expired")
    func expiringSoon() throws {
        let driver = try ConsoleDriver()
        driver.press("e")
        #expect(driver.screen.contains("expiring ≤30 d or expired · 3 certificates"))
        #expect(driver.screen.contains("3 certificates"))
        #expect(driver.line(containing: "api.example.org") != nil)
        #expect(driver.line(containing: "pay.example.net") != nil)
        #expect(driver.line(containing: "old.example.com")?.contains("expired") == true)
        #expect(driver.line(containing: "www.example.com") == nil)
    }

    @Test("the list scrolls over many rows and draws only the visible window")
    func scrolling() throws {
        let fixture = try SandboxFixture()
        let names = ["rsa-www.crt.pem", "ecdsa-wildcard.crt.pem", "rsa-multi-san.crt.pem", "rsa-4096.crt.pem",
                     "ed25519.crt.pem", "ip-san.crt.pem", "chain-leaf.crt.pem", "crlf.crt.pem", "sm2.crt.pem",
                     "expired.crt.pem", "not-yet-valid.crt.pem", "encrypted-key.crt.pem", "rsa-www.crt.der"]
        for name in names { try fixture.certificates.importCertificate(ImportRequest(certificate: Fixtures.file(name))) }
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 80, height: 24))
        // 24 rows leave 16 table rows: c27 (newest) at the top, c1 far below the fold.
        #expect(driver.line(containing: "c27 ") != nil)
        #expect(driver.line(containing: "c1 ") == nil)
        driver.press("End")
        #expect(driver.line(containing: "c1 ") != nil)
        #expect(driver.line(containing: "c27 ") == nil)
        driver.press("PgUp")
        #expect(driver.line(containing: "c16 ") != nil)
        driver.press("Home")
        #expect(driver.line(containing: "c27 ") != nil)
        // Every column still fits at 80 columns.
        #expect(driver.line(containing: "c27 ")?.contains("issued") == true)
        #expect(driver.screen.contains("EXPIRES"))
    }

    @Test("? shows every key of the screen, from the same bindings as the hint bar")
    func help() throws {
        let driver = try ConsoleDriver()
        driver.press("?")
        let screen = driver.screen
        #expect(screen.contains("Keys: SSL Certificates"))
        for description in ["move", "page up and down", "details", "filter", "import", "help", "quit", "switch pane"] {
            #expect(screen.contains(description))
        }
        driver.press("Esc")
        #expect(!driver.screen.contains("Keys: SSL Certificates"))
    }

    @Test("below 80x24 the console says so and comes back when it grows")
    func tooSmall() throws {
        let driver = try ConsoleDriver()
        driver.resize(to: Size(width: 70, height: 20))
        #expect(driver.screen.contains("Terminal too small: 70x20."))
        #expect(driver.screen.contains("needs at least 80x24"))
        driver.press("j")
        driver.resize(to: Size(width: 80, height: 24))
        #expect(driver.screen.contains("14 certificates"))
    }

    @Test("Tab moves to the navigation, where j/k pick a section")
    func navigation() throws {
        let driver = try ConsoleDriver()
        driver.press("Tab", "j")
        #expect(driver.screen.contains("No deployment tasks yet."))
        driver.press("G", "k", "Enter")
        #expect(driver.screen.contains("sandbox.seed"))
        driver.press("Tab", "g", "Enter")
        #expect(driver.screen.contains("14 certificates"))
    }

    @Test("q quits from the top-level screen, not from a pushed one; Ctrl-C always")
    func quitting() throws {
        let driver = try ConsoleDriver()
        driver.press("Enter", "q")
        #expect(driver.running)
        driver.press("Esc", "q")
        #expect(!driver.running)
        let other = try ConsoleDriver()
        other.press("Enter", "Ctrl-C")
        #expect(!other.running)
    }

    @Test("C7: names with escape sequences are shown neutralised")
    func hostileNames() throws {
        let fixture = try SandboxFixture(live: true)
        // Names typed by a user are refused with control characters; text from a
        // certificate is not, so store one as a hostile certificate would carry it.
        var draft = try CertificateImporter.draft(ImportRequest(certificate: Fixtures.file("rsa-www.crt.pem")), now: testNow)
        draft.certificate.name = "evil\u{1B}[2Jname"
        draft.certificate.domains = ["www.example.com\u{9B}31m"]
        _ = try fixture.workspace.store.write { try $0.insert(draft) }
        let driver = try ConsoleDriver(fixture: fixture)
        #expect(driver.screen.contains("evil␛[2Jname"))
        #expect(driver.screen.contains("www.example.com\u{FFFD}31m"))
        #expect(!driver.buffer.cells.contains { $0.text.unicodeScalars.contains { $0.value == 0x1B } })
    }
}

@Suite struct MouseTests {
    @Test("clicks switch tabs, select rows, open the selected row, and pick sections")
    func clicks() throws {
        let driver = try ConsoleDriver()
        let uploaded = try #require(driver.buffer.find("Uploaded"))
        driver.send(.mouse(x: uploaded.x, y: uploaded.y))
        #expect(driver.screen.contains("4 certificates"))
        let row = try #require(driver.buffer.find("legacy-upload"))
        driver.send(.mouse(x: row.x, y: row.y))
        driver.send(.mouse(x: row.x, y: row.y))
        #expect(driver.screen.contains("Certificate c11 · legacy-upload"))
        let activity = try #require(driver.buffer.find("Activity"))
        driver.send(.mouse(x: activity.x, y: activity.y))
        #expect(driver.screen.contains("sandbox.seed"))
    }

    @Test("a click on Cancel closes the import dialog")
    func dialogButtons() throws {
        let driver = try ConsoleDriver()
        driver.press("i")
        let cancel = try #require(driver.buffer.find("[ Cancel ]"))
        driver.send(.mouse(x: cancel.x + 2, y: cancel.y))
        #expect(!driver.screen.contains("Import Certificate"))
    }

    @Test("More: every item has its letter, shown beside it; d deploys, v shows details, x deletes (issue 22, 14)")
    func moreLetters() throws {
        let driver = try ConsoleDriver().select("media-upload")
        driver.press("m")
        for line in ["p  Push", "d  Deploy", "v  Details", "r  Rename", "x  Delete"] { #expect(driver.screen.contains(line), "\(driver.screen)") }
        driver.press("d")
        #expect(driver.screen.contains("1 Basics"), "\(driver.screen)")
        driver.press("Esc", "m", "v")
        #expect(driver.screen.contains("SHA-256"), "\(driver.screen)")
        driver.press("Esc", "m", "x")
        #expect(driver.screen.contains("c12 is in use on 1 resource"), "x asks to delete, which D13 refuses here: \(driver.screen)")
    }
}
