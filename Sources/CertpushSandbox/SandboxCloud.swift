import CertpushCore

/// The sandbox cloud's regions, enabled services, service stores and
/// resources (SPEC 6): bound to the demo certificates so smart matching has
/// something to find, with a region where WAF is not enabled, a CDN name
/// clash and a faulty listener.
enum SandboxCloud {
    static let regions: [Region] = [
        Region(code: "cn-north-4", name: "CN North-Beijing4"), Region(code: "cn-north-1", name: "CN North-Beijing1"),
        Region(code: "cn-east-3", name: "CN East-Shanghai1"), Region(code: "cn-east-2", name: "CN East-Shanghai2"),
        Region(code: "cn-south-1", name: "CN South-Guangzhou"), Region(code: "cn-southwest-2", name: "CN Southwest-Guiyang1"),
        Region(code: "ap-southeast-1", name: "AP-Hong Kong"), Region(code: "ap-southeast-2", name: "AP-Bangkok"),
        Region(code: "ap-southeast-3", name: "AP-Singapore"), Region(code: "af-south-1", name: "AF-Johannesburg"),
        Region(code: "eu-west-101", name: "EU-Dublin"), Region(code: "la-north-2", name: "LA-Mexico City2"),
        Region(code: "sa-brazil-1", name: "LA-Sao Paulo1"), Region(code: "me-east-1", name: "ME-Riyadh"),
        Region(code: "tr-west-1", name: "TR-Istanbul"),
    ]

    /// Where each regional service is not enabled ("purchased").
    static let notEnabled: [String: Set<String>] = [
        "waf": ["af-south-1", "eu-west-101"],
        "elb": ["sa-brazil-1"],
    ]

    /// Regional services other than WAF and ELB run in the first few regions only.
    static let smallServiceRegions = ["cn-north-4", "cn-east-3", "cn-south-1", "ap-southeast-1"]

    struct Demo {
        var service: String
        var region: String?
        var name: String
        var domain: String
        var certificate: String?
        var fault: String? = nil
    }

    static let resources: [Demo] = [
        Demo(service: "elb", region: "cn-north-4", name: "listener-web-443", domain: "www.example.com", certificate: "www.example.com"),
        Demo(service: "elb", region: "cn-north-4", name: "listener-api-443", domain: "api.example.org", certificate: "api.example.org"),
        Demo(service: "elb", region: "cn-north-4", name: "listener-shop-443", domain: "shop.example.cn", certificate: nil),
        Demo(service: "elb", region: "cn-east-3", name: "listener-web-443", domain: "www.example.com", certificate: "www.example.com"),
        Demo(service: "elb", region: "cn-east-3", name: "listener-m-443", domain: "m.example.com", certificate: "wildcard-example"),
        Demo(service: "elb", region: "ap-southeast-1", name: "listener-hk-443", domain: "hk.example.com", certificate: "wildcard-example",
             fault: "listener in maintenance"),
        Demo(service: "elb", region: "af-south-1", name: "listener-za-443", domain: "za.example.com", certificate: nil),
        Demo(service: "cdn", region: nil, name: "static.example.com", domain: "static.example.com", certificate: nil),
        Demo(service: "cdn", region: nil, name: "img.example.com", domain: "img.example.com", certificate: "media-upload"),
        Demo(service: "cdn", region: nil, name: "www.example.com", domain: "www.example.com", certificate: "www.example.com"),
        Demo(service: "cdn", region: nil, name: "pay.example.net", domain: "pay.example.net", certificate: "pay.example.net"),
        Demo(service: "dcdn", region: nil, name: "dyn.example.com", domain: "dyn.example.com", certificate: nil),
        Demo(service: "dcdn", region: nil, name: "partner.example.io", domain: "partner.example.io", certificate: "partner-shared"),
        Demo(service: "waf", region: "cn-north-4", name: "waf-www", domain: "www.example.com", certificate: "www.example.com"),
        Demo(service: "waf", region: "cn-east-3", name: "waf-api", domain: "api.example.org", certificate: "api.example.org"),
        Demo(service: "ga", region: nil, name: "ga-listener-1", domain: "global.example.com", certificate: "wildcard-example"),
        Demo(service: "ddos", region: nil, name: "ddos-gov", domain: "gov.example.cn", certificate: "gov-sm2"),
        Demo(service: "oss", region: "cn-north-4", name: "bucket-assets", domain: "assets.example.com", certificate: "wildcard-example"),
        Demo(service: "apig", region: "cn-north-4", name: "api-group-1", domain: "api.example.org", certificate: "api.example.org"),
        Demo(service: "fc", region: "cn-east-3", name: "fn-hooks", domain: "hooks.example.com", certificate: "wildcard-example"),
        Demo(service: "mse", region: "cn-north-4", name: "gw-main", domain: "legacy.example.net", certificate: "legacy-upload"),
        Demo(service: "sae", region: "cn-south-1", name: "app-shop", domain: "shop.example.cn", certificate: nil),
        Demo(service: "pai", region: "cn-north-4", name: "eas-gw", domain: "ml.example.com", certificate: nil),
    ]

    static func seed(_ db: any StoreWriter, certificates: [String: Certificate]) throws {
        for region in regions { try db.addRegion(region) }
        for service in CloudService.all {
            if !service.regional {
                try db.enable(service: service.code, region: nil)
                continue
            }
            let candidates = ["waf", "elb"].contains(service.code) ? regions.map(\.code) : smallServiceRegions
            for region in candidates where !(notEnabled[service.code]?.contains(region) ?? false) {
                try db.enable(service: service.code, region: region)
            }
        }
        // A certificate uploaded to CDN by hand, elsewhere, whose name clashes with a demo one (P4).
        try db.addToServiceStore(ServiceStoreEntry(
            service: "cdn", region: nil, name: "static-assets", fingerprint: String(repeating: "ab", count: 32),
            certificateID: nil, origin: .uploaded))
        var stored = Set<String>()
        for demo in resources {
            let certificate = demo.certificate.flatMap { certificates[$0] }
            if let certificate, stored.insert("\(demo.service)/\(demo.region ?? "")/\(certificate.id)").inserted {
                // A bound certificate was pushed to that service's store first.
                try db.addToServiceStore(ServiceStoreEntry(
                    service: demo.service, region: demo.region, name: certificate.name, fingerprint: certificate.fingerprint,
                    certificateID: certificate.id, origin: .pushed))
            }
            _ = try db.insertResource(CloudResource(
                id: ResourceID(0), service: demo.service, region: demo.region, name: demo.name, domain: demo.domain,
                certificateID: certificate?.id, fault: demo.fault))
        }
    }
}
