import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

@Suite struct ImportDialogTests {
    func path(_ name: String) -> String { Fixtures.url(name).path }

    @Test("i opens the dialog; a certificate with its key imports and shows at the top")
    func imports() throws {
        let driver = try ConsoleDriver()
        driver.press("i")
        #expect(driver.screen.contains("Import Certificate"))
        driver.type(path("ecdsa-wildcard.crt.pem")).press("Tab").type(path("ecdsa-wildcard.key.pem"))
        driver.press("Tab", "Tab").type("wild one").press("Enter")
        #expect(!driver.screen.contains("Import Certificate"))
        #expect(driver.screen.contains("Imported c15 wild one (hosted)."))
        #expect(driver.screen.contains("15 certificates"))
        #expect(driver.line(containing: "c15 ")?.contains("*.example.com") == true)
        #expect(try driver.fixture.certificates.certificate(CertificateID(15)).hasPrivateKey)
    }

    @Test("a refused import shows one sentence in the dialog and changes nothing")
    func refusal() throws {
        let driver = try ConsoleDriver()
        driver.press("i").type(path("rsa-www.crt.pem")).press("Tab").type(path("mismatch.key.pem")).press("Enter")
        #expect(driver.screen.contains("Import Certificate"))
        #expect(driver.screen.contains("mismatch.key.pem is not the private key of this certificate"))
        #expect(try driver.fixture.certificates.count(CertificateQuery()) == 14)
        driver.press("Esc")
        #expect(driver.screen.contains("14 certificates"))
    }

    @Test("an encrypted key asks for its passphrase, which is never shown")
    func passphrase() throws {
        let driver = try ConsoleDriver()
        driver.press("i").type(path("encrypted-key.crt.pem")).press("Tab").type(path("encrypted-key.key.pem")).press("Enter")
        #expect(driver.screen.contains("encrypted-key.key.pem is encrypted: give its passphrase."))
        driver.type("fixture-pass")
        #expect(!driver.screen.contains("fixture-pass"))
        driver.press("Enter")
        #expect(driver.screen.contains("Imported c15"))
    }

    @Test("a missing file is named; an empty path is asked for")
    func missingFile() throws {
        let driver = try ConsoleDriver()
        driver.press("i", "Enter")
        #expect(driver.screen.contains("Give the certificate file's path."))
        driver.type("/nowhere/cert.pem").press("Enter")
        #expect(driver.screen.contains("cert.pem cannot be read: there is no such file."))
    }

    @Test("while typing a path, q is a letter; Esc cancels")
    func typing() throws {
        let driver = try ConsoleDriver()
        driver.press("i").type("q?")
        #expect(driver.running)
        #expect(driver.screen.contains("q?"))
        driver.press("Esc")
        #expect(!driver.screen.contains("Import Certificate"))
    }
}
