import CertpushCore
import CertpushTestSupport
import Foundation
import TerminalKit
import Testing

/// Deployment tasks in the console (SPEC 5, 7): the wizard, task details, the list, contacts.
@Suite struct TaskFlowTests {
    /// The console with the cursor on the named certificate.
    func driverOn(_ name: String) throws -> ConsoleDriver { try ConsoleDriver().select(name) }

    @Test("Deploy opens the wizard with the certificate chosen; matches are offered; preview shows pairs and quota; submit runs it")
    func deployFromTheList() throws {
        let driver = try driverOn("wildcard-example")
        driver.press("d")
        #expect(driver.screen.contains("1 Basics"))
        #expect(driver.screen.contains("Deploy wildcard-example"))
        driver.press("Enter")
        #expect(driver.screen.contains("1 chosen"))
        driver.press("Enter")
        // D5 says why each matched: 10 hold certificates for covered domains, 2 CDN/DCDN ones have no HTTPS yet.
        #expect(driver.screen.contains("12 resources serve domains your selection covers: 10"), "\(driver.screen)")
        #expect(driver.screen.contains("[ Add Them ]"))
        driver.press("Enter")
        #expect(driver.screen.contains("Selected resources 12"))
        #expect(driver.screen.contains("CDN 4 · DCDN 2 · WAF 2 · ELB 7"))
        driver.press("Enter")
        #expect(driver.screen.contains("12 certificate-resource pairs"))
        #expect(driver.screen.contains("Deployment quota to consume: 0 of 10 left"))
        #expect(driver.screen.contains("[ Submit ]"))
        driver.press("Enter")
        let screen = driver.screen
        #expect(screen.contains("Task t1 · Deploy wildcard-example · partially failed"))
        #expect(screen.contains("11 succeeded, 1 failed, 12 in all"))
        #expect(driver.line(containing: "listener-hk-443")?.contains("listener in maintenance") == true)
        for tab in ["ELB", "CDN", "DCDN", "WAF", "GA", "OSS", "FC"] { #expect(screen.contains(tab)) }
    }

    @Test("preview at 80x24: resources that already serve the certificate are one warning, whole, not four cut mid-sentence (issue 22, 13)")
    func previewWarningsWhole() throws {
        let driver = try ConsoleDriver(size: Size(width: 80, height: 24)).select("www.example.com")
        driver.press("d", "Enter", "Enter", "Enter", "Enter")
        let screen = driver.screen
        #expect(screen.contains("4 certificate-resource pairs"), "\(screen)")
        let shown = screen.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "│ ")) }.joined(separator: " ")
        #expect(shown.contains("r1, r4, r10 and r14 already serve c1: deploying it again writes it afresh (a repair), and a roll back keeps c1."),
                "\(screen)")
        #expect(!screen.split(separator: "\n").dropFirst().contains { $0.contains("…") }, "nothing cut below the title: \(screen)")
    }

    @Test("S11: a task over server sites on several hosts shows each host's progress in its details")
    func hostsInDetails() throws {
        let driver = try ConsoleDriver(size: Size(width: 100, height: 30))
        let wildcard = try driver.fixture.certificateID(named: "wildcard-example")
        let a = try driver.fixture.addResource("nginx", region: "web1", name: "a", domain: "a.example.com", certificate: wildcard)
        let b = try driver.fixture.addResource("nginx", region: "web2", name: "b", domain: "b.example.com", certificate: wildcard)
        let task = try driver.fixture.workspace.deployments.create(TaskRequest(name: "hosts", certificates: [wildcard], resources: [a.id, b.id]))
        driver.press("Tab", "j", "Enter", "Enter")
        #expect(driver.screen.contains("Task \(task.id) · hosts"), "\(driver.screen)")
        #expect(driver.screen.contains("hosts: web1 1/1 · web2 1/1"), "\(driver.screen)")
    }

    @Test("Enter on a pair opens it whole: the whole cause however long, and each step with its time (issue 22, 3)")
    func pairOpensWhole() throws {
        let driver = try ConsoleDriver(size: Size(width: 80, height: 24))
        let cause = "nginx -t refused it: [emerg] cannot load certificate \"/etc/nginx/ssl/long.example.com/fullchain.pem\": "
            + "PEM_read_bio_X509_AUX() failed (SSL: error:0480006C:PEM routines::no start line:Expecting: TRUSTED CERTIFICATE)\n"
            + "nginx: configuration file /etc/nginx/nginx.conf test failed"
        let resource = try driver.fixture.addResource("cdn", name: "long-edge", domain: "long.example.com", fault: cause)
        let certificate = try driver.fixture.importCertificate(["long.example.com"], name: "long-cert")
        let task = try driver.fixture.workspace.deployments.create(TaskRequest(name: "long", certificates: [certificate.id], resources: [resource.id]))
        #expect(try driver.fixture.workspace.deployments.task(task.id).status == .failed)
        driver.press("Tab", "j", "Enter", "Enter")
        #expect(driver.screen.contains("Task \(task.id) · long · failed"), "\(driver.screen)")
        #expect(!driver.screen.contains("test failed"), "the table cuts the cause")
        driver.press("Enter")
        let screen = driver.screen
        #expect(screen.contains("\(resource.id) long-edge"), "\(screen)")
        #expect(screen.contains("Status        failed"))
        // Every word of the cause is on screen, wrapped, nothing cut.
        let shown = screen.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "│ ")) }.joined(separator: " ")
        #expect(shown.contains("PEM_read_bio_X509_AUX() failed"), "\(screen)")
        #expect(shown.contains("nginx: configuration file /etc/nginx/nginx.conf test failed"), "\(screen)")
        #expect(screen.contains("deploying"), "the step that began it")
        #expect(driver.line(containing: "  failed: nginx -t refused it")?.contains(":") == true, "the step that ended it, with its time: \(screen)")
        driver.press("Escape")
        #expect(driver.screen.contains("Task \(task.id) · long · failed"))
    }

    @Test("times are the console's zone, and say so: the task list's column, the task's header (issue 22, 4)")
    func timesSayTheirZone() throws {
        let driver = try ConsoleDriver { $0.timeZone = TimeZone(identifier: "Asia/Shanghai")! }
        let id = try driver.fixture.certificateID(named: "partner-shared")
        let task = try driver.fixture.workspace.deployments.create(
            TaskRequest(name: "later", certificates: [id], match: true, at: testNow.addingTimeInterval(86_400)))
        driver.press("Tab", "j", "Enter")
        #expect(driver.screen.contains("WHEN UTC+08:00"), "\(driver.screen)")
        #expect(driver.line(containing: "later")?.contains("11-23 20:00") == true, "12:00 UTC is 20:00 in Shanghai")
        driver.press("Enter")
        #expect(driver.screen.contains("runs 2026-11-23 20:00 UTC+08:00"), "\(driver.screen)")
        #expect(try driver.fixture.workspace.deployments.task(task.id).status == .scheduled)
    }

    @Test("wizard step 3 filters by id as the README says: r17 and 17 find r17 (issue 22, 8)")
    func filterById() throws {
        let driver = try driverOn("wildcard-example")
        driver.press("d", "Enter", "Enter", "Esc")
        #expect(driver.screen.contains("3 Resources") || driver.screen.contains("Selected resources"), "\(driver.screen)")
        for text in ["r17", "17"] {
            driver.press("/")
            driver.type(text)
            driver.press("Enter")
            #expect(driver.line(containing: "r17 ") != nil, "\(text): \(driver.screen)")
            #expect(driver.line(containing: "r16 ") == nil && driver.line(containing: "r1 ") == nil, "\(text): \(driver.screen)")
            driver.press("/", "Esc")
        }
    }

    @Test("D14: a task submitted while another runs waits in the queue and runs when the runner is free")
    func secondTaskQueued() throws {
        let runner = HeldRunner()
        let driver = try ConsoleDriver(background: runner)
        let id = try driver.fixture.certificateID(named: "partner-shared")
        let deployments = driver.fixture.workspace.deployments
        let first = try deployments.create(TaskRequest(name: "first", certificates: [id], match: true), runNow: false)
        driver.console.tick()
        #expect(runner.isBusy)
        let second = try deployments.create(TaskRequest(name: "second", certificates: [id], match: true), runNow: false)
        #expect(try deployments.task(second.id).status == .pending)
        // The runner drains the queue: the task that joined it while the first ran goes too.
        runner.release()
        driver.console.tick()
        #expect(try deployments.task(first.id).status == .succeeded)
        #expect(try deployments.task(second.id).status == .succeeded)
        #expect(!runner.isBusy)
        // One submitted after that is picked up on the next tick.
        let third = try deployments.create(TaskRequest(name: "third", certificates: [id], match: true), runNow: false)
        driver.console.tick()
        runner.release()
        #expect(try deployments.task(third.id).status == .succeeded)
    }

    @Test("Roll Back on the row in focus, after confirmation, puts the previous certificate back")
    func rollBack() throws {
        let driver = try driverOn("wildcard-example")
        driver.press("d", "Enter", "Enter", "Enter", "Enter", "Enter")
        let listener = try #require(try driver.fixture.workspace.store.read { try $0.resources(ResourceFilter(service: "elb", region: "cn-north-4")) }.first)
        #expect(listener.certificateID?.rawValue == 2)
        driver.press("b")
        #expect(driver.screen.contains("Put the previous certificate (c1) back on r1"))
        driver.press("Enter")
        #expect(driver.line(containing: "r1 listener-web-443")?.contains("succeeded") == true)
        driver.press("b", "Tab", "Enter")
        #expect(driver.line(containing: "r1 listener-web-443")?.contains("rolled back") == true)
        #expect(try driver.fixture.workspace.store.read { try $0.resource(listener.id) }?.certificateID?.rawValue == 1)
        driver.press("j", "j", "j", "r", "Tab", "Enter")
        #expect(driver.line(containing: "listener-hk-443")?.contains("failed") == true)
    }

    @Test("preview shows what stops a task, and Enter does not submit it")
    func previewProblems() throws {
        let driver = try driverOn("测试证书")
        driver.press("d", "Enter", "Enter", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "Space", "Enter")
        #expect(driver.screen.contains("cannot be deployed: its name contains Chinese characters."))
        #expect(!driver.screen.contains("[ Submit ]"))
        driver.press("Enter")
        #expect(driver.screen.contains("4 Preview and Submit"))
        #expect(try driver.fixture.workspace.deployments.tasks().isEmpty)
    }

    @Test("D2 at step 2: the other type is marked, choosing one is refused with the reason, and the choice is kept")
    func oneSource() throws {
        let driver = try driverOn("wildcard-example")
        driver.press("d", "Enter", "Right")
        #expect(driver.line(containing: "partner-shared")?.contains("other type (D2)") == true)
        driver.press("Space")
        #expect(driver.screen.contains("A task deploys official or uploaded certificates, not both: split them into"))
        #expect(driver.screen.contains("1 chosen"))
        driver.press("Left")
        #expect(driver.line(containing: "wildcard-example")?.contains("[x]") == true)
    }

    @Test("a custom time makes a scheduled task, which a running console starts when it is due")
    func scheduled() throws {
        let driver = try driverOn("partner-shared")
        driver.press("d", "Down", "Down", "Down", "Down", "Space", "Down")
        #expect(driver.screen.contains("(•) custom time"))
        driver.type("2026-11-22 13:00")
        driver.press("Enter", "Enter", "Enter", "Enter", "Enter")
        #expect(driver.screen.contains("scheduled"))
        // The new task opens in Deployment Tasks: Esc shows the list it is in.
        #expect(driver.screen.contains("▸ Deployment Tasks"))
        driver.press("Esc")
        #expect(driver.line(containing: "Deploy partner")?.contains("scheduled") == true)
        driver.fixture.time.advance(by: 3_700)
        driver.console.tick()
        #expect(driver.line(containing: "Deploy partner")?.contains("succeeded") == true)
    }

    @Test("the task list: c creates, Space toggles in place (j moves), x deletes them after confirmation")
    func taskList() throws {
        let driver = try ConsoleDriver()
        for _ in 0..<2 {
            _ = try driver.fixture.workspace.deployments.create(TaskRequest(name: "t", certificates: [CertificateID(10)], match: true))
        }
        driver.press("Tab", "j", "Enter")
        #expect(driver.screen.contains("t2"))
        driver.press("Space", "j", "Space", "x")
        #expect(driver.screen.contains("Delete t2, t1? Deleted tasks cannot be restored."))
        driver.press("Tab", "Enter")
        #expect(driver.screen.contains("No deployment tasks yet."))
        driver.press("c")
        #expect(driver.screen.contains("1 Basics"))
    }

    @Test("contacts: add, edit, delete; the outbox shows what tasks sent")
    func contacts() throws {
        let driver = try ConsoleDriver()
        _ = try driver.fixture.workspace.deployments.create(TaskRequest(name: "tell", certificates: [CertificateID(10)], match: true, contacts: ["Ana Ops"]))
        driver.press("Tab", "j", "j", "j", "Enter")
        #expect(driver.screen.contains("Ana Ops"))
        #expect(driver.screen.contains("ended succeeded"))
        driver.press("a").type("Dee Dev").press("Tab").type("dee@example.com").press("Enter")
        #expect(driver.line(containing: "Dee Dev")?.contains("dee@example.com") == true)
        driver.press("x", "Tab", "Enter")
        #expect(driver.line(containing: "Ana Ops")?.contains("ana.ops@example.com") != true)
    }
}

@Suite struct SynchronizeTests {
    @Test("D16: Synchronize Cloud Resources from the wizard's resources step reports what it found")
    func synchronize() throws {
        let driver = try ConsoleDriver()
        driver.press("Tab", "j", "Enter", "c").type("sync").press("Enter", "Right", "Space", "Enter", "Enter")
        #expect(driver.screen.contains("s Synchronize Cloud Resources"))
        driver.press("s")
        #expect(driver.screen.contains("Synchronized sandbox: 23 resources."))
    }

    @Test("Synchronize is also in Cloud Resources and in each service's view, where resources are looked at (issue 22, 14)")
    func synchronizeWhereResourcesAre() throws {
        let driver = try ConsoleDriver()
        driver.press("Tab", "j", "j", "Enter")
        #expect(driver.screen.contains("s Synchronize Cloud Resources"), "\(driver.screen)")
        driver.press("s")
        #expect(driver.screen.contains("Synchronized sandbox: 23 resources."), "\(driver.screen)")
        driver.press("Enter", "s")
        #expect(driver.screen.contains("Synchronized sandbox: 23 resources."), "\(driver.screen)")
    }
}
