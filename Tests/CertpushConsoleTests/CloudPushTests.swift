import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// The push page on a Huawei Cloud account (H3, H4, R6), against the SCM double.
@Suite struct CloudPushTests {
    let scm: SCMDouble
    let driver: ConsoleDriver

    init() throws {
        scm = try SCMDouble(disabled: ["elb af-south-1"])
        var account = Account(name: "hw", kind: .huaweicloud, regions: ["cn-north-4", "ap-southeast-1", "af-south-1"], endpoint: scm.endpoint,
                              credentialNames: ["access_key_env": "HW_AK", "secret_key_env": "HW_SK"])
        account.timeLimit = 2
        let fixture = try SandboxFixture(accounts: [account], environment: ["HW_AK": scm.accessKey, "HW_SK": scm.secretKey])
        driver = try ConsoleDriver(fixture: fixture, size: Size(width: 110, height: 32)).select("www.example.com")
    }

    @Test("a switches the push page to the Huawei account and its regions; three ELB regions, one refused by SCM in its words; Configure Now says where to finish")
    func pushToThreeRegions() throws {
        defer { scm.stop() }
        driver.press("p")
        #expect(driver.screen.contains("Account sandbox (training sandbox)   (a: another account)"))
        driver.press("a")
        #expect(driver.screen.contains("Account hw (Huawei Cloud SCM): regions cn-north-4, ap-southeast-1, af-south-1"))
        driver.press("j", "j", "r")
        #expect(driver.screen.contains("ELB regions 0/10"))
        #expect(driver.line(containing: "af-south-1")?.contains("(not enabled)") == false)
        driver.press("Space", "j", "Space", "j", "Space", "Enter")
        #expect(driver.screen.contains("regions 3/10: cn-north-4, ap-southeast-1, af-s"))
        driver.press("Tab", "Enter")
        let results = driver.screen
        #expect(results.contains("Certificate pushed"))
        #expect(results.contains("✓ ELB in cn-north-4"))
        #expect(results.contains("✓ ELB in ap-southeast-1"))
        #expect(results.contains("✗ ELB in af-south-1: SCM.0305: ELB is not enabled in af-south-1"))
        driver.press("Enter")
        #expect(driver.screen.contains("Configure in Huawei Cloud"))
        #expect(driver.screen.contains("certpush holds no resources of a Huawei Cloud account"))
        driver.press("Enter", "Esc")
        #expect(driver.line(containing: "hw · ELB in af-south-1")?.contains("failed") == true)
        #expect(scm.importedCount == 1)
    }

    @Test("the second push to the same region shows SCM's code")
    func secondPush() throws {
        defer { scm.stop() }
        driver.press("p", "a", "j", "j", "r", "Space", "Enter", "Tab", "Enter", "Tab", "Enter")
        driver.press("j", "j", "r", "Space", "Enter", "Tab", "Enter")
        #expect(driver.screen.contains("✗ ELB in cn-north-4: SCM.0211: the certificate already exists in this service"), "\(driver.screen)")
    }
}
