import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// Server resources in Cloud Resources, under their account and host (SPEC 13).
@Suite struct ServerResourcesTests {
    @Test("a synchronized nginx host shows as a service with its hosts; each site says its account and the certificate it serves")
    func serverServiceView() throws {
        let fixture = try SandboxFixture()
        try fixture.workspace.store.write { db in
            try db.replaceServerSites(account: "web", service: "nginx", host: "web1", with: [
                ServerSite(host: "web1", address: "*", port: 443, serverNames: ["www.example.com"], certificatePath: "/etc/ssl/www.pem",
                           keyPath: "/etc/ssl/www.key", servedFingerprint: nil),
            ])
            try db.replaceServerSites(account: "web", service: "nginx", host: "web2", with: [
                ServerSite(host: "web2", address: "*", port: 8443, serverNames: ["api.example.org"], certificatePath: "/etc/ssl/api.pem",
                           keyPath: "/etc/ssl/api.key", servedFingerprint: nil),
            ])
        }
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 120, height: 35)) { context in
            context.verify = { id in ("\(id) serves c9, not c2 as certpush recorded: drift.", true) }
        }
        driver.press("Tab", "j", "j", "Enter")
        let row = try #require(driver.line(containing: "NGINX"), "\(driver.screen)")
        #expect(row.contains("deploy (SSH)") && row.contains("2"))
        driver.press("G", "Enter")
        #expect(driver.screen.contains("host ← web1 →   (2 hosts)"))
        #expect(driver.line(containing: "www.example.com:443")?.contains("web") == true)
        driver.press("Right")
        #expect(driver.line(containing: "api.example.org:8443") != nil)
        // S5 from the console: v on a site says what it serves beside what certpush recorded.
        driver.press("v")
        #expect(driver.screen.contains("serves c9, not c2 as certpush recorded: drift."))
        #expect(driver.console.activeBindings.contains { $0.description == "verify what the site serves" })
    }
}
