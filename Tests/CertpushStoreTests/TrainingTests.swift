import CertpushCore
import CertpushSetup
import CertpushTestSupport
import Foundation
import Testing

/// W6: a sandbox practised in again, and the rename that resolves a CDN name clash.
@Suite struct TrainingTests {
    let fixture: SandboxFixture
    let training: TrainingService

    init() throws {
        fixture = try SandboxFixture()
        training = try #require(fixture.workspace.training)
    }

    var listener: CloudResource { get throws { try fixture.resource("elb", "listener-hk-443") } }

    @Test("W6: training fix ends the listener's maintenance, so the retry of its failed pair succeeds; a resource with no planned failure is refused")
    func fixThenRetry() throws {
        let wildcard = try fixture.certificateID(named: "wildcard-example")
        let task = try fixture.workspace.deployments.create(TaskRequest(name: "hk", certificates: [wildcard], resources: [try listener.id]))
        #expect(task.status == .failed)
        #expect(task.pairs.first?.cause == "listener in maintenance")
        // Without the fix, a retry fails the same way: the lesson is the cause.
        #expect(try fixture.workspace.deployments.retry(task.id).status == .failed)
        #expect(try training.fix(try listener.id).fault == nil)
        #expect(try fixture.workspace.deployments.retry(task.id).status == .succeeded)
        #expect(throws: Refusal.self) { try training.fix(try listener.id) }
        #expect(throws: Refusal.self) { try training.fix(ResourceID(9_999)) }
    }

    @Test("W6: training reset gives back the seeded sandbox, its quota, its names and ids; the activity log keeps what happened")
    func reset() throws {
        let deployments = fixture.workspace.deployments
        let quota = try deployments.quotaRemaining()
        let media = try fixture.certificateID(named: "media-upload")
        _ = try deployments.create(TaskRequest(name: "use quota", certificates: [media], resources: [try fixture.resource("cdn", "img.example.com").id]))
        #expect(try deployments.quotaRemaining() == quota - 1)
        _ = try fixture.certificates.rename(try fixture.certificateID(named: "static-assets"), to: "static-2026")
        _ = try fixture.importCertificate(["new.example.org"])
        _ = try training.fix(try listener.id)

        try training.reset()
        #expect(try deployments.quotaRemaining() == quota)
        #expect(try deployments.tasks().isEmpty)
        #expect(try fixture.certificates.count(CertificateQuery()) == 14)
        #expect(try fixture.certificateID(named: "static-assets") == CertificateID(8))
        #expect(try fixture.certificateID(named: "www.example.com") == CertificateID(1))
        #expect(try listener.fault == "listener in maintenance")
        #expect(try listener.id == ResourceID(6))
        #expect(try fixture.workspace.store.read { try $0.contacts() }.count == 3)
        #expect(try fixture.certificates.activity(limit: 100).contains { $0.action == "training.reset" })
        #expect(try fixture.certificates.activity(limit: 100).contains { $0.action == "certificate.rename" })
    }

    @Test("W6: a live workspace has no training service")
    func liveHasNone() throws {
        #expect(try SandboxFixture(live: true).workspace.training == nil)
    }

    @Test("rename resolves the CDN name clash (P4) as the cloud's console does; a bad or unchanged name is refused and changes nothing")
    func renameResolvesNameClash() throws {
        let statics = try fixture.certificateID(named: "static-assets")
        let request = PushRequest(certificate: statics, selections: [.init(service: "cdn")])
        let clash = try fixture.workspace.push.push(request)
        #expect(clash.first?.succeeded == false)
        #expect(clash.first?.reason.contains("static-assets") == true)
        #expect(throws: Refusal.self) { try fixture.certificates.rename(statics, to: "") }
        #expect(throws: Refusal.self) { try fixture.certificates.rename(statics, to: "a\u{1b}[2Jb") }
        #expect(throws: Refusal.self) { try fixture.certificates.rename(statics, to: "static-assets") }
        #expect(try fixture.certificates.certificate(statics).name == "static-assets")
        let renamed = try fixture.certificates.rename(statics, to: "  static-assets-2026 ")
        #expect(renamed.name == "static-assets-2026")
        #expect(try fixture.certificates.list(CertificateQuery(text: "assets-2026")).map(\.id) == [statics])
        #expect(try fixture.workspace.push.push(request).first?.succeeded == true)
    }
}
