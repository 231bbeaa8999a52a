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

    @Test("task details show a server pair's steps when it succeeded, and the server's own words when it failed")
    func serverSteps() throws {
        let fixture = try SandboxFixture()
        let sites = try fixture.workspace.store.write { db -> [ResourceID] in
            try db.replaceServerSites(account: "web", service: "nginx", host: "web1", with: [
                ServerSite(host: "web1", address: "*", port: 443, serverNames: ["www.example.com"], certificatePath: "/a.pem", keyPath: "/a.key",
                           servedFingerprint: nil),
                ServerSite(host: "web1", address: "*", port: 8443, serverNames: ["m.example.com"], certificatePath: "/b.pem", keyPath: "/b.key",
                           servedFingerprint: nil),
            ])
            return try db.resources(ResourceFilter(account: "web")).map(\.id)
        }
        let task = try fixture.workspace.deployments.create(TaskRequest(name: "web", certificates: [CertificateID(2)], resources: sites), runNow: false)
        // What the servers provider would record: one pair proved, one refused by nginx -t.
        try fixture.workspace.store.write { db in
            var pairs = try #require(try db.task(task.id)).pairs
            pairs[0].status = .succeeded
            pairs[1].status = .failed
            pairs[1].cause = "nginx -t refused it: nginx: [emerg] unknown directive; the previous files are back and still served"
            for pair in pairs { try db.update(pair, at: testNow) }
            try db.setStatus(task.id, .partiallyFailed, finishedAt: testNow)
        }
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 140, height: 35))
        driver.press("Tab", "j", "Enter", "Enter")
        #expect(driver.line(containing: "www.example.com:443")?.contains("written ✓ checked ✓ reloaded ✓ proved ✓") == true, "\(driver.screen)")
        #expect(driver.line(containing: "m.example.com:8443")?.contains("nginx -t refused it") == true)
    }
}
