import CertpushCore
import Foundation
import Testing

/// D5a: one pair per resource, the certificate that covers it best.
@Suite struct PairingTests {
    func certificate(_ id: Int64, _ domains: [String], family: CertificateFamily = .international) -> Certificate {
        Certificate(
            id: CertificateID(id), name: "c\(id)", domains: domains, keyAlgorithm: family == .sm ? .sm2 : .ecP256, family: family,
            source: .uploaded, lifecycle: .hosted, notBefore: nil, notAfter: nil, issuer: "", serial: "\(id)", fingerprint: "\(id)",
            certificatePEM: nil, chainPEM: [], hasPrivateKey: true, manualCSR: false, shared: true, createdAt: Date(timeIntervalSince1970: 0))
    }

    func resource(_ id: Int64, _ service: String, _ domain: String) -> CloudResource {
        CloudResource(id: ResourceID(id), service: service, region: nil, name: "res\(id)", domain: domain, certificateID: CertificateID(99))
    }

    func plan(_ certificates: [Certificate], _ resources: [CloudResource]) -> TaskPlan {
        DeploymentRules.plan(TaskRequest(name: "t", certificates: certificates.map(\.id), resources: resources.map(\.id)),
                             certificates: certificates, resources: resources, knownContacts: [], quotaRemaining: 10,
                             now: Date(timeIntervalSince1970: 1_000))
    }

    @Test("D7 at preview: a pair that will fail with domain mismatch is a warning, not a problem; on CDN it is neither")
    func domainMismatchWarning() {
        let new = certificate(1, ["www.example.com"]), old = certificate(99, ["api.example.org"])
        let resources = [resource(1, "elb", "www.example.com"), resource(2, "cdn", "www.example.com")]
        let result = DeploymentRules.plan(
            TaskRequest(name: "t", certificates: [new.id], resources: resources.map(\.id)), certificates: [new], resources: resources,
            knownContacts: [], quotaRemaining: 10, now: Date(timeIntervalSince1970: 1_000), replaced: [old.id: old])
        #expect(result.canSubmit)
        #expect(result.warnings == ["r1 will fail with \"domain mismatch\": c1 does not cover api.example.org, the domain of c99 it would replace (ELB keeps the domain, D7)."])
        #expect(result.warnings.count == 1)
    }

    @Test("D1 at step 1: name, contacts and time are checked on their own; D12 and D17 refuse by status before any confirmation")
    func stepChecks() {
        let now = Date(timeIntervalSince1970: 1_000)
        #expect(DeploymentRules.basicsProblems(TaskRequest(name: " ", certificates: []), knownContacts: [], now: now).count == 1)
        #expect(DeploymentRules.basicsProblems(TaskRequest(name: "t", certificates: [], at: now), knownContacts: [], now: now)
            == ["The custom deployment time must be in the future."])
        #expect(DeploymentRules.basicsProblems(TaskRequest(name: "t", certificates: [], contacts: ["Zed"]), knownContacts: [], now: now)
            == ["Zed is not in the contacts list."])
        #expect(DeploymentRules.basicsProblems(TaskRequest(name: "t", certificates: []), knownContacts: [], now: now).isEmpty)
        #expect(AfterTaskAction.rollBack.refusal(taskStatus: .running, of: TaskID(3)) == "t3 is running; only a finished task can be rolled back or retried.")
        #expect(AfterTaskAction.retry.refusal(taskStatus: .partiallyFailed, of: TaskID(3)) == nil)
    }

    @Test("an exact name beats a wildcard")
    func exactBeatsWildcard() {
        let wild = certificate(1, ["*.example.com"]), exact = certificate(2, ["www.example.com"])
        let result = plan([wild, exact], [resource(1, "elb", "www.example.com"), resource(2, "elb", "m.example.com")])
        #expect(result.problems.isEmpty)
        #expect(result.pairs == [PlannedPair(certificate: exact.id, resource: ResourceID(1)), PlannedPair(certificate: wild.id, resource: ResourceID(2))])
    }

    @Test("two certificates that cover a resource equally well are refused, naming both")
    func tie() {
        let a = certificate(1, ["*.example.com"]), b = certificate(2, ["*.example.com", "example.com"])
        #expect(plan([a, b], [resource(1, "cdn", "m.example.com")]).problems == ["r1 is covered equally well by c1 and c2: choose one of them."])
    }

    @Test("a resource no chosen certificate covers is listed and blocks submission")
    func uncovered() {
        let result = plan([certificate(1, ["www.example.com"])], [resource(1, "cdn", "www.example.com"), resource(2, "mse", "other.example.org")])
        #expect(result.problems == ["r2 (other.example.org) is not covered by any chosen certificate: remove it or choose one that covers it."])
        #expect(result.pairs.count == 1)
        #expect(!result.canSubmit)
    }

    @Test("D4 is checked against the certificate paired with each resource, not every chosen one")
    func smPerPair() {
        let sm = certificate(1, ["gov.example.cn"], family: .sm), intl = certificate(2, ["www.example.com"])
        let good = plan([sm, intl], [resource(1, "ddos", "gov.example.cn"), resource(2, "elb", "www.example.com")])
        #expect(good.problems.isEmpty)
        #expect(good.pairs.count == 2)
        let bad = plan([sm], [resource(3, "elb", "gov.example.cn")])
        #expect(bad.problems == ["c1 is an SM certificate: it deploys only to CDN, DCDN and Anti-DDoS, not to r3 (ELB)."])
    }
}
