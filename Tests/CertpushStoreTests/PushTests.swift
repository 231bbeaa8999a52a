import CertpushCore
import CertpushSandbox
import CertpushSetup
import CertpushTestSupport
import Foundation
import Testing

/// SPEC 4, P1 to P9, on the seeded sandbox.
@Suite struct PushTests {
    /// Each test runs once on each backend (T7), its fixture made on the one it is given.
    let on = FixtureOn()
    var fixture: SandboxFixture { on.fixture }

    var push: PushService { fixture.workspace.push }
    func id(named name: String) throws -> CertificateID { try fixture.certificateID(named: name) }
    func request(_ name: String, _ services: [String], regions: [String] = []) throws -> PushRequest {
        PushRequest(certificate: try id(named: name), services: services, regions: regions)
    }
    func recordCount(_ name: String) throws -> Int { try push.records(for: id(named: name), limit: 1_000).count }

    @Test("P1: expired, pending and revoked certificates are refused, nothing recorded",
          arguments: Backend.all, ["old.example.com", "new.example.com", "revoked-demo"])
    func onlyValidIssuedOrHosted(_ backend: Backend, name: String) throws {
        try on.start(backend)
        #expect(throws: Refusal.self) { try push.push(request(name, ["cdn"])) }
        #expect(try recordCount(name) == 0)
    }

    @Test("P1: a certificate not yet valid is refused", arguments: Backend.all)
    func notYetValid(_ backend: Backend) throws {
        try on.start(backend)
        let imported = try fixture.certificates.importCertificate(ImportRequest(
            certificate: Fixtures.file("not-yet-valid.crt.pem"), key: Fixtures.file("not-yet-valid.key.pem")))
        #expect(throws: Refusal("\(imported.id) cannot be pushed: it is not valid until 2045-01-01; only certificates inside their validity can be pushed.")) {
            try push.push(PushRequest(certificate: imported.id, services: ["cdn"], regions: []))
        }
    }

    @Test("P2: a manual-CSR certificate, or one with no key held, is refused with the spec's words", arguments: Backend.all)
    func manualCSR(_ backend: Backend) throws {
        try on.start(backend)
        let csr = try id(named: "csr-by-hand")
        #expect(throws: Refusal("\(csr) cannot be pushed: its CSR was generated manually; the private key is not held here.")) {
            try push.push(PushRequest(certificate: csr, services: ["cdn"], regions: []))
        }
        // SPEC 2: an upload without its key is issued, and says "no private key held", never "manually".
        let keyless = try fixture.certificates.importCertificate(ImportRequest(certificate: Fixtures.file("rsa-4096.crt.pem")))
        #expect(keyless.status(at: testNow) == .issued)
        #expect(throws: Refusal("\(keyless.id) cannot be pushed: no private key held; import it again with its key.")) {
            try push.push(PushRequest(certificate: keyless.id, services: ["cdn"], regions: []))
        }
        #expect(try push.records(for: keyless.id).isEmpty)
    }

    @Test("P3: a second push to the same service and region fails for that target only", arguments: Backend.all)
    func onlyOnce(_ backend: Backend) throws {
        try on.start(backend)
        let first = try push.push(request("media-upload", ["elb"], regions: ["cn-north-1"]))
        #expect(first.map(\.succeeded) == [true])
        let second = try push.push(request("media-upload", ["elb"], regions: ["cn-north-1", "cn-east-2"]))
        #expect(second.map(\.succeeded) == [false, true])
        #expect(second[0].reason == "ELB in cn-north-1 already has this certificate")
    }

    @Test("P3: a certificate already uploaded to the store counts as there", arguments: Backend.all)
    func alreadyUploadedThere(_ backend: Backend) throws {
        try on.start(backend)
        // The sandbox bound www.example.com to an ELB listener in cn-north-4, so it is in that store.
        let records = try push.push(request("www.example.com", ["elb"], regions: ["cn-north-4"]))
        #expect(records.first?.reason == "ELB in cn-north-4 already has this certificate")
    }

    @Test("P4: a CDN name already taken fails that target", arguments: Backend.all)
    func cdnNameClash(_ backend: Backend) throws {
        try on.start(backend)
        let records = try push.push(request("static-assets", ["cdn"]))
        #expect(records.map(\.succeeded) == [false])
        #expect(records[0].reason == "CDN already has a certificate named static-assets")
    }

    @Test("P5: regional services need 1 to 10 regions; an 11th is refused; global ones take none", arguments: Backend.all)
    func regionCounts(_ backend: Backend) throws {
        try on.start(backend)
        let regions = try fixture.workspace.store.read { try $0.regions() }.map(\.code)
        #expect(regions.count >= 14)
        #expect(throws: Refusal("You can select up to 10 regions.")) {
            try push.push(request("media-upload", ["waf"], regions: Array(regions.prefix(11))))
        }
        #expect(throws: Refusal("ELB is regional: choose 1 to 10 regions.")) { try push.push(request("media-upload", ["elb"])) }
        #expect(throws: Refusal("CDN is global and takes no region.")) {
            try push.push(request("media-upload", ["cdn"], regions: ["cn-north-4"]))
        }
        #expect(throws: Refusal("mars-1 is not a region.")) { try push.push(request("media-upload", ["elb"], regions: ["mars-1"])) }
        #expect(try recordCount("media-upload") == 0)
        let ten = try push.push(request("media-upload", ["elb"], regions: Array(regions.prefix(10))))
        #expect(ten.count == 10)
    }

    @Test("P6: a region where the service is not enabled fails with a reason saying so", arguments: Backend.all)
    func notEnabled(_ backend: Backend) throws {
        try on.start(backend)
        let records = try push.push(request("media-upload", ["waf"], regions: ["af-south-1", "cn-north-4"]))
        #expect(records.map(\.succeeded) == [false, true])
        #expect(records[0].reason == "WAF is not enabled in af-south-1")
    }

    @Test("P7: several services and regions, each on its own, every one recorded, newest first, latest 10", arguments: Backend.all)
    func partialSuccess(_ backend: Backend) throws {
        try on.start(backend)
        let records = try push.push(request("legacy-upload", ["elb", "waf", "cdn"], regions: ["cn-north-4", "eu-west-101"]))
        #expect(records.count == 5)
        #expect(records.filter(\.succeeded).count == 4)
        #expect(records.first { !$0.succeeded }?.target == PushTarget(service: "waf", region: "eu-west-101"))
        let stored = try push.records(for: id(named: "legacy-upload"))
        #expect(stored.count == 5)
        #expect(stored.first?.target == PushTarget(service: "cdn", region: nil))
        #expect(stored.allSatisfy { $0.user == "trainer" })
        _ = try push.push(request("legacy-upload", ["elb"], regions: ["cn-east-3", "cn-east-2", "cn-south-1", "ap-southeast-2", "ap-southeast-3", "me-east-1", "tr-west-1"]))
        #expect(try push.records(for: id(named: "legacy-upload")).count == 10)
        #expect(try recordCount("legacy-upload") == 12)
    }

    @Test("services that take no push, SM certificates and Ed25519 keys are refused or fail with a reason", arguments: Backend.all)
    func whatServicesAccept(_ backend: Backend) throws {
        try on.start(backend)
        #expect(throws: Refusal.self) { try push.push(request("media-upload", ["dcdn"])) }
        #expect(throws: Refusal.self) { try push.push(request("media-upload", ["nope"])) }
        let sm = try push.push(request("gov-sm2", ["cdn", "waf"], regions: ["cn-north-4"]))
        #expect(sm.map(\.succeeded) == [true, false])
        #expect(sm[1].reason == "WAF does not accept SM certificates")
        let ed = try fixture.certificates.importCertificate(ImportRequest(certificate: Fixtures.file("ed25519.crt.pem"), key: Fixtures.file("ed25519.key.pem")))
        let records = try push.push(PushRequest(certificate: ed.id, services: ["elb"], regions: ["cn-north-4"]))
        #expect(records.first?.reason == "ELB does not accept Ed25519 keys")
    }

    @Test("binding: a pushed certificate goes on a listener; a faulty one fails with its cause; unpushed ones are refused", arguments: Backend.all)
    func binding(_ backend: Backend) throws {
        try on.start(backend)
        let media = try id(named: "media-upload")
        let listeners = try fixture.workspace.store.read { try $0.resources(ResourceFilter(service: "elb", region: "cn-north-4")) }
        let shop = try #require(listeners.first { $0.name == "listener-shop-443" })
        #expect(throws: Refusal.self) { try push.bind(media, to: shop.id) }
        _ = try push.push(PushRequest(certificate: media, services: ["elb"], regions: ["cn-north-4", "ap-southeast-1"]))
        // The same rule for every front end (issue 22): a certificate that does not cover the
        // resource's domain is refused, nothing bound, unless the person chose it anyway.
        let warning = try #require(try push.bindWarning(media, to: shop.id))
        #expect(throws: UncoveredBind(warning: warning)) { try push.bind(media, to: shop.id) }
        #expect(try fixture.workspace.store.read { try $0.resource(shop.id) }?.certificateID != media)
        try push.bind(media, to: shop.id, anyway: true)
        #expect(try fixture.workspace.store.read { try $0.resource(shop.id) }?.certificateID == media)
        let usage = try push.usage(of: media)
        #expect(usage.resources.map(\.id).contains(shop.id))
        #expect(usage.stores.contains { $0.service == "elb" && $0.region == "cn-north-4" })
        let faulty = try #require(try fixture.workspace.store.read { try $0.resources(ResourceFilter(service: "elb", region: "ap-southeast-1")) }.first)
        #expect(throws: BindFailure(resource: faulty.id, cause: "listener in maintenance")) { try push.bind(media, to: faulty.id, anyway: true) }
    }

    @Test("a certificate bound to a resource cannot be deleted; an unbound one can", arguments: Backend.all)
    func deleteInUse(_ backend: Backend) throws {
        try on.start(backend)
        let www = try id(named: "www.example.com")
        do {
            try fixture.certificates.delete(www)
            Issue.record("deleted a certificate in use")
        } catch let refusal as Refusal {
            #expect(refusal.sentence.hasPrefix("\(www) is in use on 4 resources (r1 listener-web-443"))
        }
        #expect(try fixture.certificates.certificate(www).id == www)
        try fixture.certificates.delete(try id(named: "revoked-demo"))
    }

    @Test("the sandbox cloud: 14+ regions, WAF off somewhere, a faulty resource, resources bound to demo certificates", arguments: Backend.all)
    func sandboxCloud(_ backend: Backend) throws {
        try on.start(backend)
        let store = fixture.workspace.store
        #expect(try store.read { try $0.regions() }.count >= 14)
        #expect(try store.read { try $0.isEnabled(service: "waf", region: "af-south-1") } == false)
        #expect(try store.read { try $0.isEnabled(service: "waf", region: "cn-north-4") })
        let resources = try store.read { try $0.resources(ResourceFilter()) }
        #expect(Set(resources.map(\.service)) == Set(CloudService.all.map(\.code)))
        #expect(resources.contains { $0.fault != nil })
        #expect(resources.filter { $0.certificateID != nil }.count >= 10)
    }
}
