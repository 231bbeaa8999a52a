import CertpushClouds
import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

/// A Huawei Cloud account on the SCM double.
func huaweiAccount(_ scm: SCMDouble, regions: [String] = ["cn-north-4", "ap-southeast-1", "af-south-1"], timeout: Double = 2) -> String {
    """
    [accounts.hw]
    kind = "huaweicloud"
    access_key_env = "HW_AK"
    secret_key_env = "HW_SK"
    regions = [\(regions.map { "\"\($0)\"" }.joined(separator: ", "))]
    endpoint = "\(scm.endpoint)"
    iam_endpoint = "\(scm.endpoint)"
    timeout = \(timeout)

    """
}

/// An Alibaba Cloud account on the CAS double.
func alibabaAccount(_ cas: CASDouble, timeout: Double = 2) -> String {
    """
    [accounts.ali]
    kind = "alibabacloud"
    access_key_id_env = "ALI_AK"
    access_key_secret_env = "ALI_SK"
    endpoint = "\(cas.endpoint)"
    timeout = \(timeout)
    poll_interval = 0.02

    """
}

/// SPEC 10 to 12 through the CLI, against doubles that check every signature:
/// R1 credentials, `accounts check`, SCM pushes (H2 to H4) and CAS jobs (A2 to A4).
@Suite struct CloudAccountTests {
    var cli = ConfiguredCLI()
    let scm: SCMDouble
    let cas: CASDouble

    init() throws {
        scm = try SCMDouble(disabled: ["elb af-south-1"], slow: ["cdn cn-north-4"])
        cas = try CASDouble(resources: [
            .init(id: 101, product: "CDN", region: "cn-hangzhou", instance: "www.example.com", domain: "www.example.com"),
            .init(id: 102, product: "DCDN", region: "cn-hangzhou", instance: "static.example.com", domain: "static.example.com"),
            .init(id: 103, product: "CDN", region: "cn-hangzhou", instance: "img.example.org", domain: "img.example.org"),
        ])
        cli.environment = ["HW_AK": scm.accessKey, "HW_SK": scm.secretKey, "ALI_AK": cas.accessKeyID, "ALI_SK": cas.secret]
    }

    var config: String { huaweiAccount(scm) + alibabaAccount(cas) }

    func certpush(_ arguments: String..., config: String? = nil) throws -> CertpushBinary.Result {
        try cli(arguments, config: config ?? self.config)
    }

    /// The rows of `resources list --json` for these arguments.
    func resourceRows(_ arguments: String...) throws -> [[String: Any]] {
        let listed = try cli(["resources", "list", "--json"] + arguments, config: config)
        return try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    }

    /// Makes the database, reads the Alibaba account, and gives the id of the resource serving each domain.
    func syncedAlibaba(_ domains: String...) throws -> [String] {
        try cli.initLive(config: config, certificates: 8)
        #expect(try certpush("resources", "sync", "--account", "ali").status == 0)
        let rows = try resourceRows("--account", "ali")
        return try domains.map { domain in try #require(rows.first { $0["domain"] as? String == domain }?["id"] as? String) }
    }

    @Test("accounts check proves each cloud's keys with one signed read; a wrong secret is one sentence and shows no secret")
    func check() throws {
        defer { scm.stop(); cas.stop() }
        try cli.initLive(config: config, certificates: 8)
        let huawei = try certpush("accounts", "check", "hw")
        #expect(huawei.status == 0, "\(huawei.stderr)")
        #expect(huawei.stdout.contains("hw: OK, SCM answered a signed call"))
        let alibaba = try certpush("accounts", "check", "ali")
        #expect(alibaba.status == 0)
        #expect(alibaba.stdout.contains("ali: OK, CAS answered a signed call: 3 cloud resources listed"))

        var wrong = cli
        wrong.environment["HW_SK"] = "not-the-secret"
        wrong.environment["ALI_SK"] = "not-the-secret-either"
        for name in ["hw", "ali"] {
            let refused = try wrong(["accounts", "check", name], config: config)
            #expect(refused.status == 1)
            let said = refused.stdout + refused.stderr
            #expect(said.contains("\(name): the cloud did not accept its keys"))
            #expect(said.split(separator: "\n").count == 1)
            #expect(!said.contains("not-the-secret"))
        }
        #expect(scm.refusedSignatures == 1)
    }

    @Test("keys come from credentials.toml when the environment has none, never from one others can read")
    func credentialsFile() throws {
        defer { scm.stop(); cas.stop() }
        var bare = cli
        bare.environment = [:]
        try bare.initLive(config: config, certificates: 0)
        let missing = try bare(["accounts", "check", "hw"], config: config)
        #expect(missing.status == 2)
        #expect((missing.stdout + missing.stderr).contains("hw has no keys: set HW_AK and HW_SK in the environment"))

        let file = cli.directory.path("config/certpush/credentials.toml")
        try "[hw]\nHW_AK = \"\(scm.accessKey)\"\nHW_SK = \"\(scm.secretKey)\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o640)
        let open = try bare(["accounts", "check", "hw"], config: config)
        #expect(open.status == 2)
        #expect((open.stdout + open.stderr).contains("may be read by others (mode 640)"))
        #expect(scm.callLog.isEmpty)
        chmod(file, 0o600)
        #expect(try bare(["accounts", "check", "hw"], config: config).status == 0)
    }

    @Test("push --account hw: three ELB regions, one refused by SCM; the second push refused with SCM's code; imported once")
    func pushThroughSCM() throws {
        defer { scm.stop(); cas.stop() }
        try cli.initLive(config: config, certificates: 8)
        let notPushing = try certpush("push", "c1", "--account", "ali", "--service", "elb", "--region", "cn-north-4")
        #expect(notPushing.status == 2)
        #expect((notPushing.stdout + notPushing.stderr).contains("ali takes no pushes; those that do are hw."))

        let first = try certpush("push", "c1", "--account", "hw", "--service", "elb",
                                 "--region", "cn-north-4", "--region", "ap-southeast-1", "--region", "af-south-1", "--json")
        #expect(first.status == 1)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])["results"] as? [[String: Any]]
        #expect(results?.count == 3)
        #expect(results?.filter { $0["ok"] as? Bool == true }.count == 2)
        let refused = results?.first { $0["region"] as? String == "af-south-1" }
        #expect(refused?["ok"] as? Bool == false)
        #expect((refused?["reason"] as? String)?.hasPrefix("SCM: ELB is not enabled") == true)
        #expect(results?.allSatisfy { $0["account"] as? String == "hw" } == true)

        let again = try certpush("push", "c1", "--account", "hw", "--service", "elb", "--region", "cn-north-4")
        #expect(again.status == 1)
        #expect(again.stdout.contains("SCM: Push cert error: the certificate already exists in ELB"))
        #expect(scm.importedCount == 1)
        #expect(scm.callLog.filter { $0.hasSuffix("/batch-push") }.count == 2)

        let records = try certpush("push-records", "c1")
        #expect(records.stdout.split(separator: "\n").count == 5)
        #expect(records.stdout.contains("hw"))
        // H6: the name SCM keeps it under, made to SCM's rule, in the record; H5: the domain id looked up once, then kept.
        let name = try #require(scm.importedNames.first)
        #expect(records.stdout.contains("as \(name)"), "\(records.stdout)")
        #expect(first.stdout.contains("\"remoteName\":\"\(name)\"") || first.stdout.contains("\"remoteName\" : \"\(name)\""), "\(first.stdout)")
        #expect(scm.domainLookups == 1)
    }

    @Test("H5: with domain_id in the config, IAM is never asked; a wrong one is refused by SCM as its keys would be")
    func configuredDomain() throws {
        defer { scm.stop(); cas.stop() }
        let configured = huaweiAccount(scm).replacingOccurrences(of: "iam_endpoint = \"\(scm.endpoint)\"", with: "domain_id = \"\(scm.domainID)\"")
        #expect(!configured.contains("iam_endpoint"))
        try cli.initLive(config: configured, certificates: 2)
        let pushed = try cli(["push", "c1", "--account", "hw", "--service", "waf", "--region", "ap-southeast-1"], config: configured)
        #expect(pushed.status == 0, "\(pushed.stdout)\(pushed.stderr)")
        #expect(scm.domainLookups == 0)

        let wrong = configured.replacingOccurrences(of: scm.domainID, with: "0000000000000000000000000000ffff")
        let refused = try cli(["push", "c2", "--account", "hw", "--service", "waf", "--region", "ap-southeast-1"], config: wrong)
        #expect(refused.status == 1)
        #expect((refused.stdout + refused.stderr).contains("hw: the cloud did not accept its keys (APIGW.0301"), "\(refused.stdout)\(refused.stderr)")
    }

    @Test("H8: verify --account hw asks SCM's deployed-resources where each pushed certificate is in use, beside what certpush recorded")
    func verifyPushes() throws {
        defer { scm.stop(); cas.stop() }
        try cli.initLive(config: config, certificates: 8)
        let none = try certpush("verify", "--account", "hw")
        #expect(none.status == 0 && none.stdout.contains("hw: certpush has pushed no certificate through it."), "\(none.stdout)\(none.stderr)")
        #expect(try certpush("push", "c1", "--account", "hw", "--service", "elb", "--region", "cn-north-4", "--region", "ap-southeast-1").status == 0)
        let imported = try #require(scm.importedNames.first)
        let id = try #require(scm.id(named: imported))
        scm.use(id, service: "ELB", region: "cn-north-4", resource: "elb-listener-1")
        let fine = try certpush("verify", "--account", "hw", "--json")
        #expect(fine.status == 0, "\(fine.stdout)\(fine.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(fine.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["id"] as? String == "c1" && rows.first?["account"] as? String == "hw" && rows.first?["ok"] as? Bool == true)
        #expect(rows.first?["served"] as? String == "ELB in cn-north-4: elb-listener-1")
        #expect(rows.first?["expected"] as? String == "ELB in ap-southeast-1, ELB in cn-north-4")

        // In use where certpush never pushed it: said, and the exit status says so.
        scm.use(id, service: "WAF", region: "af-south-1", resource: "waf-1")
        let differs = try certpush("verify", "--account", "hw")
        #expect(differs.status == 1)
        #expect(differs.stdout.contains("WAF in af-south-1: waf-1") && differs.stdout.contains("DIFFERS"), "\(differs.stdout)")
    }

    @Test("a target SCM does not answer in time fails with the time-out; the others go on")
    func pushTimesOut() throws {
        defer { scm.stop(); cas.stop() }
        scm.slowDelay = 3
        try cli.initLive(config: config, certificates: 8)
        let started = Date()
        let pushed = try certpush("push", "c2", "--account", "hw", "--service", "cdn", "--service", "waf", "--region", "ap-southeast-1")
        #expect(pushed.status == 1, "\(pushed.stdout) \(pushed.stderr)")
        #expect(pushed.stdout.contains("did not answer within 2 s"))
        #expect(pushed.stdout.contains("waf") && pushed.stdout.contains("pushed"))
        #expect(Date().timeIntervalSince(started) < 15)
    }

    @Test("a wrong secret stops the push with one sentence and records nothing")
    func pushWithWrongSecret() throws {
        defer { scm.stop(); cas.stop() }
        try cli.initLive(config: config, certificates: 8)
        var wrong = cli
        wrong.environment["HW_SK"] = "not-the-secret"
        let refused = try wrong(["push", "c1", "--account", "hw", "--service", "elb", "--region", "cn-north-4"], config: config)
        #expect(refused.status == 1)
        #expect((refused.stdout + refused.stderr).contains("hw: the cloud did not accept its keys (APIGW.0301"))
        #expect(try certpush("push-records", "c1").stdout.split(separator: "\n").count <= 1)
        #expect(scm.importedCount == 0)
    }

    @Test("an Alibaba task over two products runs as one CAS job: one worker fails, one is rolled back through CAS")
    func deployThroughCAS() throws {
        defer { scm.stop(); cas.stop() }
        cas.failing = [102]
        try cli.initLive(config: config, certificates: 8)
        let synced = try certpush("resources", "sync", "--account", "ali")
        #expect(synced.status == 0)
        #expect(synced.stdout.contains("ali: 3 resources."))
        let rows = try resourceRows("--account", "ali")
        #expect(Set(rows.compactMap { $0["service"] as? String }) == ["cdn", "dcdn"])
        let www = try #require(rows.first { $0["domain"] as? String == "www.example.com" }?["id"] as? String)
        let statics = try #require(rows.first { $0["domain"] as? String == "static.example.com" }?["id"] as? String)

        let task = try certpush("tasks", "create", "--name", "to alibaba", "--cert", "c2", "--resource", www, "--resource", statics, "--json")
        #expect(task.status == 1)
        #expect(task.stdout.contains("partially_failed"))
        #expect(task.stdout.contains("CAS ended deploying to it in error (job 8888, worker 701)"))
        #expect(cas.callLog.filter { $0 == "CreateDeploymentJob" }.count == 1)
        #expect(cas.callLog.filter { $0 == "UploadUserCertificate" }.count == 1)
        #expect(cas.certificate(on: 101) == 14_440_149)

        let taskID = try #require(try JSONSerialization.jsonObject(with: Data(task.stdout.utf8)) as? [String: Any])["id"] as? String
        let rolled = try certpush("tasks", "rollback", try #require(taskID), "--resource", www)
        #expect(rolled.status == 0)
        #expect(cas.certificate(on: 101) == nil)
        #expect(cas.callLog.contains("CreateRollbackTask"))
        let shown = try certpush("tasks", "show", taskID!)
        #expect(shown.stdout.contains("rolled back"), "\(shown.stdout)")
    }

    @Test("SCM refuses a CDN push whose name CDN already has (P4) in its own words; a CAS roll back that ends rollback_error is refused with CAS's cause")
    func cloudRefusals() throws {
        defer { scm.stop(); cas.stop() }
        let clashing = try SCMDouble(cdnNames: ["www.example.com-c1"])
        defer { clashing.stop() }
        var cli = cli
        cli.environment["HW_AK"] = clashing.accessKey
        let config = huaweiAccount(clashing) + alibabaAccount(cas)
        try cli.initLive(config: config, certificates: 1)
        let clash = try cli(["push", "c1", "--account", "hw", "--service", "cdn"], config: config)
        #expect(clash.status == 1)
        #expect(clash.stdout.contains("SCM.0212: a certificate named www.example.com-c1 already exists in CDN"))

        cas.failingRollback = [101]
        #expect(try cli(["resources", "sync", "--account", "ali"], config: config).status == 0)
        let listed = try cli(["resources", "list", "--account", "ali", "--json"], config: config)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let www = try #require(rows.first { $0["domain"] as? String == "www.example.com" }?["id"] as? String)
        let task = try cli(["tasks", "create", "--name", "one", "--cert", "c1", "--resource", www, "--json"], config: config)
        #expect(task.status == 0)
        let taskID = try #require(try JSONSerialization.jsonObject(with: Data(task.stdout.utf8)) as? [String: Any])["id"] as? String
        let rolled = try cli(["tasks", "rollback", try #require(taskID)], config: config)
        #expect(rolled.status != 0)
        #expect((rolled.stdout + rolled.stderr).contains("CAS ended rolling it back in rollback_error (job 8888, worker 700)"))
        #expect(cas.certificate(on: 101) != nil)
    }

    @Test("synchronize reads every page of every product: 120 CDN domains and 3 ALB listeners")
    func syncEveryPage() throws {
        defer { scm.stop(); cas.stop() }
        let many = try CASDouble(resources: (0..<120).map { .init(id: 1_000 + $0, product: "CDN", region: "cn-hangzhou", instance: "d\($0).example.com", domain: "d\($0).example.com") }
            + (0..<3).map { .init(id: 2_000 + $0, product: "ALB", region: "cn-shanghai", instance: "alb-\($0)", domain: "api.example.org", certID: 77) })
        defer { many.stop() }
        var cli = cli
        cli.environment["ALI_AK"] = many.accessKeyID
        let config = alibabaAccount(many)
        #expect(try cli(["init", "--live"], config: config).status == 0)
        let synced = try cli(["resources", "sync", "--account", "ali"], config: config)
        #expect(synced.stdout.contains("ali: 123 resources."))
        #expect(many.callLog.filter { $0 == "ListCloudResources" }.count == CASProvider.products.count + 2)
        let albs = try cli(["resources", "list", "--account", "ali", "--service", "elb", "--json"], config: config)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(albs.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0["region"] as? String == "cn-shanghai" })
        // Again: the same resources, kept by CAS's ids, not added twice.
        #expect(try cli(["resources", "sync", "--account", "ali"], config: config).stdout.contains("ali: 123 resources."))
        #expect(try cli(["accounts", "--json"], config: config).stdout.contains("123"))
    }

    @Test("R3 on CAS: certpush killed while a job runs; recovery waits for the job's worker and records what CAS did, without a second job")
    func crashDuringJob() throws {
        defer { scm.stop(); cas.stop() }
        let www = try syncedAlibaba("www.example.com")[0]
        cas.setProcessingReads(100_000)
        let pid = try cli.spawn(["tasks", "create", "--name", "crash", "--cert", "c1", "--resource", www], config: config)
        let deadline = Date().addingTimeInterval(20)
        while !cas.callLog.contains("ListWorkerResource") && Date() < deadline { usleep(20_000) }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(cas.callLog.filter { $0 == "CreateDeploymentJob" }.count == 1)
        #expect(try certpush("tasks", "show", "t1").stdout.contains("deploying"))

        cas.setProcessingReads(0)
        #expect(try certpush("tasks", "run-due").status == 0)
        let shown = try certpush("tasks", "show", "t1")
        #expect(shown.stdout.contains("t1 crash: succeeded"), "\(shown.stdout)")
        #expect(cas.callLog.filter { $0 == "CreateDeploymentJob" }.count == 1)
        #expect(cas.certificate(on: 101) == 14_440_149)
    }

    @Test("a listener holding a certificate certpush never saw: synchronize reads it from CAS without its key, so D6 lets a task replace it and D7 checks the domain")
    func adoptHeldCertificate() throws {
        defer { scm.stop(); cas.stop() }
        let held = try CASDouble(resources: [
            .init(id: 301, product: "ALB", region: "cn-shanghai", instance: "alb-api", domain: "api.example.org", certID: 77),
            .init(id: 302, product: "ALB", region: "cn-shanghai", instance: "alb-odd", domain: "api.example.org", certID: 78),
        ])
        defer { held.stop() }
        held.held = [77: ("legacy-api", try TestCertificates.issue(["api.example.org"]).certificate),
                     78: ("legacy-other", try TestCertificates.issue(["other.example.net"]).certificate)]
        var cli = cli
        cli.environment["ALI_AK"] = held.accessKeyID
        let config = alibabaAccount(held)
        try cli.initLive(config: config, certificates: 3)
        #expect(try cli(["resources", "sync", "--account", "ali"], config: config).status == 0)
        let certs = try cli(["certs", "list"], config: config)
        let line = try #require(certs.stdout.split(separator: "\n").first { $0.contains("legacy-api") }.map(String.init), "\(certs.stdout)")
        #expect(line.contains("uploaded"))
        let adopted = try #require(line.split(separator: " ").first.map(String.init))
        let listed = try cli(["resources", "list", "--account", "ali", "--json"], config: config)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let api = try #require(rows.first { $0["name"] as? String == "alb-api" })
        let odd = try #require(rows.first { $0["name"] as? String == "alb-odd" }?["id"] as? String)
        #expect(api["certificateId"] as? String == adopted)
        // The key CAS sent along was not kept.
        let shown = try cli(["certs", "show", adopted, "--json"], config: config)
        #expect(shown.stdout.contains(#""hasPrivateKey" : false"#) || shown.stdout.contains(#""hasPrivateKey":false"#), "\(shown.stdout)")

        let mismatch = try cli(["tasks", "create", "--name", "odd", "--cert", "c3", "--resource", odd], config: config)
        #expect(mismatch.status == 1)
        #expect(mismatch.stdout.contains("domain mismatch"), "\(mismatch.stdout)\(mismatch.stderr)")
        #expect(!held.callLog.contains("CreateDeploymentJob"))
        let replaced = try cli(["tasks", "create", "--name", "renew api", "--cert", "c3", "--resource", try #require(api["id"] as? String)], config: config)
        #expect(replaced.status == 0, "\(replaced.stdout)\(replaced.stderr)")
        #expect(held.callLog.filter { $0 == "CreateDeploymentJob" }.count == 1)
        #expect(held.certificate(on: 301) != 77)
    }

    @Test("two certificates in one CAS job: CAS puts on each resource the one that covers it, and certpush records what CAS did")
    func twoCertificatesOneJob() throws {
        defer { scm.stop(); cas.stop() }
        let ids = try syncedAlibaba("www.example.com", "static.example.com")
        let task = try certpush("tasks", "create", "--name", "two", "--cert", "c1", "--cert", "c8", "--resource", ids[0], "--resource", ids[1])
        #expect(task.status == 0, "\(task.stdout)\(task.stderr)")
        #expect(cas.callLog.filter { $0 == "CreateDeploymentJob" }.count == 1)
        #expect(cas.callLog.filter { $0 == "UploadUserCertificate" }.count == 2)
        let www = cas.certificate(on: 101), statics = cas.certificate(on: 102)
        #expect(www != nil && statics != nil && www != statics)
        let held = try resourceRows("--account", "ali")
        #expect(held.first { $0["id"] as? String == ids[0] }?["certificateId"] as? String == "c1")
        #expect(held.first { $0["id"] as? String == ids[1] }?["certificateId"] as? String == "c8")
    }

    @Test("CAS needs a contact for a job: without one the account's pairs fail saying where to add it, and no job is made")
    func noContact() throws {
        defer { scm.stop(); cas.stop() }
        cas.contacts = []
        let www = try syncedAlibaba("www.example.com")[0]
        let task = try certpush("tasks", "create", "--name", "no contact", "--cert", "c1", "--resource", www)
        #expect(task.status == 1)
        #expect(task.stdout.contains("CAS needs a contact for a deployment job"))
        #expect(!cas.callLog.contains("CreateDeploymentJob"))
    }

    @Test("a wrong secret on synchronize is one sentence and leaves the inventory as it was")
    func syncWithWrongSecret() throws {
        defer { scm.stop(); cas.stop() }
        try cli.initLive(config: config, certificates: 8)
        #expect(try certpush("resources", "sync", "--account", "ali").status == 0)
        var wrong = cli
        wrong.environment["ALI_SK"] = "not-the-secret"
        let refused = try wrong(["resources", "sync", "--account", "ali"], config: config)
        #expect(refused.status == 1)
        #expect((refused.stdout + refused.stderr).contains("ali: the cloud did not accept its keys (SignatureDoesNotMatch"))
        #expect(try resourceRows("--account", "ali").count == 3)
    }

    @Test("a CAS account that does not answer fails its pairs with the time-out")
    func deployTimesOut() throws {
        defer { scm.stop(); cas.stop() }
        let www = try syncedAlibaba("www.example.com")[0]
        cas.setSlow(["CreateDeploymentJob"])
        let task = try certpush("tasks", "create", "--name", "slow", "--cert", "c1", "--resource", www, "--json")
        #expect(task.status == 1)
        #expect(task.stdout.contains("did not answer within 2 s"))
        #expect(task.stdout.contains("\"failed\""))
    }
}
