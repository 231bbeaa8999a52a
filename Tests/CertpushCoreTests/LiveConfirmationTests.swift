import CertpushCore
import Testing

/// W5: the one sentence a live workspace asks with, naming accounts and counts.
@Suite struct LiveConfirmationTests {
    let accounts = [Account(name: "web", kind: .servers), Account(name: "ali-prod", kind: .alibabacloud), Account(name: "hw", kind: .huaweicloud)]

    func resource(_ id: Int64, _ account: String, _ service: String, _ region: String?) -> LiveConfirmation.Target {
        LiveConfirmation.Target(CloudResource(id: ResourceID(id), service: service, region: region, name: "n\(id)", domain: "d\(id).example.com",
                                              certificateID: nil, account: account))
    }

    @Test("W5: a deployment names each account with what it is and how many of its resources change, in config order")
    func deploy() {
        let targets = (1...11).map { resource(Int64($0), "ali-prod", "cdn", nil) }
            + [resource(20, "web", "nginx", "web1"), resource(21, "web", "nginx", "web2"), resource(22, "web", "nginx", "web3")]
        #expect(LiveConfirmation.deploy([CertificateID(12)], to: targets, accounts: accounts)
                == "Deploy c12 to 14 resources: web (nginx, 3 hosts) 3, ali-prod (CAS) 11?")
    }

    @Test("W5: a push names the account and its targets; a roll back names the resource and its account")
    func pushAndRollBack() {
        let push = LiveConfirmation.push(CertificateID(3), account: accounts[2], targets: [
            PushTarget(service: "elb", region: "cn-north-4"), PushTarget(service: "elb", region: "ap-southeast-1"), PushTarget(service: "cdn", region: nil)])
        #expect(push == "Push c3 to hw (Huawei Cloud SCM): CDN, ELB in 2 regions?")
        #expect(LiveConfirmation.act("Roll back", on: [resource(5, "web", "nginx", "web1")], accounts: accounts) == "Roll back r5 on web (nginx, 1 host)?")
        #expect(LiveConfirmation.matches([resource(4, "web", "nginx", "web1"), resource(9, "ali-prod", "cdn", nil), resource(6, "web", "nginx", "web1")])
                == "ali-prod: r9; web: r4, r6")
    }
}
