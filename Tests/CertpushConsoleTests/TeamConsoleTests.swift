import CertpushConsole
import CertpushCore
import CertpushSetup
import CertpushTestSupport
import Foundation
import Testing

/// T3 and SPEC 9 as a user sees it: a console and another process on one
/// workspace, in PostgreSQL (notifications) or in a file (its data version).
@Suite struct TeamConsoleTests {
    @Test("T3: a certificate another process imports shows in an open console's list within a second, no key pressed", arguments: Backend.all)
    func otherBastionsChangeShows(_ backend: Backend) throws {
        let fixture = try SandboxFixture(live: true, backend: backend)
        let driver = try ConsoleDriver(fixture: fixture) { context in
            context.changes = try? fixture.workspace.listeningForChanges()
        }
        driver.console.tick()
        #expect(!driver.screen.contains("rsa-www"))
        // Another bastion (or process): its own workspace on the same database, with the team's keyring.
        let other = try Workspace.open(path: fixture.databasePath, create: false, keyring: fixture.directory.path("keyring"),
                                       time: fixture.time, user: "colleague")
        try other.certificates.importCertificate(ImportRequest(certificate: Fixtures.file("rsa-www.crt.pem"), name: "rsa-www"))
        let start = Date()
        var shown = false
        // The console ticks every half second while it listens: tick as the terminal's loop would.
        while !shown && Date().timeIntervalSince(start) < 1 {
            Thread.sleep(forTimeInterval: Double(driver.console.tickMilliseconds) / 1_000)
            driver.console.tick()
            shown = driver.screen.contains("rsa-www")
        }
        #expect(shown, "\(driver.screen)")
        #expect(driver.console.tickMilliseconds <= 500)
    }
}
