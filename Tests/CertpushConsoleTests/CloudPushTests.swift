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
        account.identityEndpoint = scm.endpoint
        let fixture = try SandboxFixture(accounts: [account], environment: ["HW_AK": scm.accessKey, "HW_SK": scm.secretKey])
        _ = try fixture.importCertificate(["www.example.com", "example.com"], name: "www.example.com")
        driver = try ConsoleDriver(fixture: fixture, size: Size(width: 110, height: 32)).select("www.example.com")
    }

    @Test("a live workspace's push page names its Huawei account and regions; three ELB regions, one refused by SCM in its words; Configure Now says where to finish")
    func pushToThreeRegions() throws {
        defer { scm.stop() }
        driver.press("p")
        #expect(driver.screen.contains("Account hw · Huawei Cloud SCM · regions cn-north-4, ap-southeast-1"))
        driver.press("j", "j", "r")
        #expect(driver.screen.contains("ELB regions 0/10"))
        #expect(driver.line(containing: "af-south-1")?.contains("(not enabled)") == false)
        driver.press("Space", "j", "Space", "j", "Space", "Enter")
        // Too long for the service's line, the regions go whole on the line below it.
        #expect(driver.screen.contains("regions 3/10:"), "\(driver.screen)")
        #expect(driver.screen.contains("cn-north-4, ap-southeast-1, af-south-1"), "\(driver.screen)")
        driver.press("Tab", "Enter")
        // W5: a live account's push is confirmed, naming the account and the targets.
        #expect(driver.screen.contains("Push c1 to hw (Huawei Cloud SCM): ELB in 3 regions?"), "\(driver.screen)")
        driver.press("Tab", "Enter")
        let results = driver.screen
        #expect(results.contains("Pushed to 2 of 3 targets"))
        // H6: the name SCM keeps it under.
        #expect(results.contains("✓ ELB in cn-north-4 as www.example.com-c1"), "\(results)")
        #expect(results.contains("✓ ELB in ap-southeast-1 as www.example.com-c1"))
        #expect(results.contains("✗ ELB in af-south-1: SCM: ELB is not enabled in af-south-1"))
        driver.press("Enter")
        #expect(driver.screen.contains("Configure in Huawei Cloud"))
        #expect(driver.screen.contains("certpush holds no resources of a Huawei Cloud account"))
        driver.press("Enter", "Esc")
        #expect(driver.line(containing: "hw · ELB af-south-1")?.contains("failed") == true)
        #expect(scm.importedCount == 1)
    }

    @Test("the second push to the same region shows SCM's code")
    func secondPush() throws {
        defer { scm.stop() }
        driver.press("p", "a", "j", "j", "r", "Space", "Enter", "Tab", "Enter", "Tab", "Enter", "Tab", "Enter")
        driver.press("j", "j", "r", "Space", "Enter", "Tab", "Enter", "Tab", "Enter")
        #expect(driver.screen.contains("✗ ELB in cn-north-4: SCM: Push cert error: the certificate already exists in ELB"), "\(driver.screen)")
    }
}

/// A task over an Alibaba Cloud account's resources (A2 to A4) seen and rolled back in the console, against the CAS double.
@Suite struct CloudTaskTests {
    let cas: CASDouble
    let fixture: SandboxFixture

    init() throws {
        cas = try CASDouble(resources: [
            .init(id: 101, product: "CDN", region: "cn-hangzhou", instance: "www.example.com", domain: "www.example.com"),
            .init(id: 102, product: "DCDN", region: "cn-hangzhou", instance: "static.example.com", domain: "static.example.com"),
        ])
        cas.failing = [102]
        var account = Account(name: "ali", kind: .alibabacloud, endpoint: cas.endpoint,
                              credentialNames: ["access_key_id_env": "ALI_AK", "access_key_secret_env": "ALI_SK"])
        account.timeLimit = 2
        account.pollInterval = 0.01
        fixture = try SandboxFixture(accounts: [account], environment: ["ALI_AK": cas.accessKeyID, "ALI_SK": cas.secret])
        _ = try fixture.importCertificate(["*.example.com"], name: "wildcard-example")
    }

    @Test("the task's details show each CAS resource under its account, the failed worker's cause; b rolls one back through CAS")
    func rollBackThroughCAS() throws {
        defer { cas.stop() }
        #expect(try fixture.workspace.synchronize("ali").first?.sentence == "ali: 2 resources.")
        let resources = try fixture.workspace.store.read { try $0.resources(ResourceFilter(account: "ali")) }
        let task = try fixture.workspace.deployments.create(TaskRequest(name: "to alibaba", certificates: [try fixture.certificateID(named: "wildcard-example")],
                                                                        resources: resources.map(\.id)))
        #expect(task.status == .partiallyFailed)
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 150, height: 32))
        driver.press("Tab", "j", "Enter", "Enter")
        let www = try #require(driver.line(containing: "www.example.com"), "\(driver.screen)")
        #expect(www.contains("succeeded") && www.contains("ali"))
        driver.press("Right")
        #expect(driver.line(containing: "static.example.com")?.contains("CAS ended deploying to it in error (job") == true, "\(driver.screen)")
        #expect(cas.certificate(on: 101) != nil)
        driver.press("Left", "b")
        // W5: the roll back of a live resource names its account first.
        #expect(driver.screen.contains(" on ali (CAS)?"), "\(driver.screen)")
        driver.press("Tab", "Enter")
        #expect(driver.line(containing: "www.example.com")?.contains("rolled back") == true, "\(driver.screen)")
        #expect(cas.certificate(on: 101) == nil)
    }
}

/// W5 in the wizard of a live workspace: smart matching says what it would add, by account, and the submit asks first.
@Suite struct LiveWizardTests {
    @Test("W5: the smart-match offer lists the resources by account; Deploy names accounts and counts; Cancel makes no task")
    func confirmsWithAccounts() throws {
        let cas = try CASDouble(resources: [
            .init(id: 101, product: "CDN", region: "cn-hangzhou", instance: "www.example.com", domain: "www.example.com"),
            .init(id: 102, product: "DCDN", region: "cn-hangzhou", instance: "static.example.com", domain: "static.example.com"),
        ])
        defer { cas.stop() }
        var account = Account(name: "ali", kind: .alibabacloud, endpoint: cas.endpoint,
                              credentialNames: ["access_key_id_env": "ALI_AK", "access_key_secret_env": "ALI_SK"])
        account.timeLimit = 2
        account.pollInterval = 0.01
        let fixture = try SandboxFixture(accounts: [account], environment: ["ALI_AK": cas.accessKeyID, "ALI_SK": cas.secret])
        _ = try fixture.importCertificate(["*.example.com"], name: "wildcard-example")
        _ = try fixture.workspace.synchronize("ali")
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 120, height: 32)).select("wildcard-example")
        // W4: the title bar says LIVE, with the accounts.
        #expect(driver.buffer.line(0).hasSuffix("LIVE: ali"), "\(driver.buffer.line(0))")
        driver.press("d", "Enter", "Enter")
        #expect(driver.screen.contains("2 CDN or DCDN resources (ali: r1, r2) without HTTPS"), "\(driver.screen)")
        driver.press("Enter", "Enter")
        #expect(driver.screen.contains("2 certificate-resource pairs"))
        driver.press("Enter")
        #expect(driver.screen.contains("Deploy c1 to 2 resources: ali (CAS) 2?"), "\(driver.screen)")
        driver.press("Esc")
        #expect(try fixture.workspace.deployments.tasks().isEmpty)
        #expect(!cas.callLog.contains("CreateDeploymentJob"))
        driver.press("Enter", "Tab", "Enter")
        #expect(try fixture.workspace.deployments.tasks().count == 1)
    }
}

/// A cloud that does not answer in time, from the push page (R4).
@Suite struct CloudTimeoutTests {
    @Test("SCM does not answer for CDN: that target fails with the time-out, WAF is pushed, and both are records")
    func slowTarget() throws {
        let scm = try SCMDouble(slow: ["cdn cn-north-4"])
        defer { scm.stop() }
        var account = Account(name: "hw", kind: .huaweicloud, regions: ["cn-north-4", "ap-southeast-1"], endpoint: scm.endpoint,
                              credentialNames: ["access_key_env": "HW_AK", "secret_key_env": "HW_SK"])
        account.timeLimit = 1
        account.identityEndpoint = scm.endpoint
        let fixture = try SandboxFixture(accounts: [account], environment: ["HW_AK": scm.accessKey, "HW_SK": scm.secretKey])
        _ = try fixture.importCertificate(["www.example.com", "example.com"], name: "www.example.com")
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 120, height: 32)).select("www.example.com")
        driver.press("p", "a", "Space", "j", "r", "j", "Space", "Enter", "Tab", "Enter", "Tab", "Enter")
        let results = driver.screen
        #expect(results.contains("✗ CDN: 127.0.0.1 did not answer within 1 s"), "\(results)")
        #expect(results.contains("✓ WAF in ap-southeast-1"))
        driver.press("Tab", "Enter")
        #expect(driver.line(containing: "hw · CDN")?.contains("failed") == true)
        #expect(driver.line(containing: "hw · WAF ap-southeast-1")?.contains("pushed") == true)
    }
}

/// A wrong secret on the push page: one sentence, no record, nothing pushed (R5).
@Suite struct CloudKeysRefusedTests {
    @Test("SCM refuses the keys: the push page says so in one sentence and keeps no record")
    func wrongSecret() throws {
        let scm = try SCMDouble()
        defer { scm.stop() }
        var account = Account(name: "hw", kind: .huaweicloud, regions: ["cn-north-4"], endpoint: scm.endpoint,
                              credentialNames: ["access_key_env": "HW_AK", "secret_key_env": "HW_SK"])
        account.identityEndpoint = scm.endpoint
        let fixture = try SandboxFixture(accounts: [account], environment: ["HW_AK": scm.accessKey, "HW_SK": "wrong"])
        _ = try fixture.importCertificate(["www.example.com", "example.com"], name: "www.example.com")
        let driver = try ConsoleDriver(fixture: fixture, size: Size(width: 120, height: 32)).select("www.example.com")
        driver.press("p", "a", "j", "j", "r", "Space", "Enter", "Tab", "Enter", "Tab", "Enter")
        #expect(driver.screen.contains("hw: the cloud did not accept its keys (APIGW.0301"), "\(driver.screen)")
        #expect(!driver.screen.contains("Certificate pushed"))
        #expect(driver.screen.contains("No pushes yet."))
        #expect(scm.importedCount == 0)
    }
}
