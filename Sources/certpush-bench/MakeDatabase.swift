import CertpushCore
import CertpushSetup
import Foundation

/// Issue 8: a database at scale, made through the store like any other, so
/// it has the current schema whatever migrations come later.
///   swift run -c release certpush-bench make-db PATH [certificates] [resources]
/// Certificates `site-N.example.com` (and `*.site-N...`), official and
/// uploaded, some shared, expiring from last month to two years out; resources
/// across every service and the regions where it is enabled (half of them
/// ELB listeners in cn-north-4), serving names
/// those certificates cover, every other one bound to its certificate.
func makeDatabase(path: String, certificates certificateCount: Int, resources resourceCount: Int) throws {
    let workspace = try Workspace.open(path: path, user: "bench")
    let template = try workspace.certificates.certificate(CertificateID(1))
    let now = Date()
    let clock = ContinuousClock()
    let began = clock.now
    var firstID: Int64 = 0
    for start in stride(from: 0, to: certificateCount, by: 50_000) {
        try workspace.store.write { db in
            for n in start..<min(certificateCount, start + 50_000) {
                var certificate = template
                certificate.name = "site-\(n).example.com"
                certificate.domains = ["site-\(n).example.com", "*.site-\(n).example.com"]
                certificate.fingerprint = String(format: "%064x", n + 1_000_000)
                certificate.serial = String(format: "%x", n + 1_000_000)
                certificate.source = n % 3 == 0 ? .uploaded : .official
                certificate.lifecycle = certificate.source == .uploaded ? .hosted : .issued
                certificate.shared = n % 6 == 0
                certificate.notAfter = now.addingTimeInterval(Double(n % 760 - 30) * 86_400)
                let id = try db.insert(CertificateDraft(certificate: certificate, privateKeyPEM: nil))
                if n == 0 { firstID = id.rawValue }
            }
        }
    }
    print("\(certificateCount) certificates in \(Int(milliseconds(clock.now - began))) ms")

    let places: [(service: String, region: String?)] = try workspace.store.read { db in
        try CloudService.all.flatMap { service -> [(String, String?)] in
            guard service.regional else { return [(service.code, nil)] }
            return try db.regions().filter { try db.isEnabled(service: service.code, region: $0.code) }.map { (service.code, $0.code) }
        }
    }
    let resourcesBegan = clock.now
    for start in stride(from: 0, to: resourceCount, by: 100_000) {
        try workspace.store.write { db in
            for k in start..<min(resourceCount, start + 100_000) {
                let site = certificateCount > 0 ? k % certificateCount : k
                // Half of them in one place (ELB in cn-north-4): a service view of 500,000 at full scale.
                let place = k % 4 == 1 || k % 4 == 2 ? ("elb", "cn-north-4") : places[k % places.count]
                let domain = k % 3 == 0 ? "site-\(site).example.com" : "h\(k).site-\(site).example.com"
                let bound = k % 2 == 0 && certificateCount > 0 ? CertificateID(firstID + Int64(site)) : nil
                _ = try db.insertResource(CloudResource(
                    id: ResourceID(0), service: place.service, region: place.region, name: "res-\(k)", domain: domain, certificateID: bound))
            }
        }
    }
    print("\(resourceCount) resources in \(Int(milliseconds(clock.now - resourcesBegan))) ms")
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    print("\(path): \(size / 1_000_000) MB")
}
