import CertpushCore
import Foundation

/// Cloud accounts' resources (SPEC 12): a resource per entry the cloud
/// lists, its own id beside it.
extension SQLSession {
    func remoteID(of resource: ResourceID) throws -> String? {
        try db.one(as: String.self, "SELECT remote_id FROM cloud_resource WHERE resource_id = ?", [resource.rawValue])
    }

    func replaceCloudResources(account: String, with resources: [RemoteResource]) throws -> Int {
        let existing = try db.rows("""
            SELECT cloud_resource.remote_id, resource.id FROM resource JOIN cloud_resource ON cloud_resource.resource_id = resource.id
            WHERE resource.account = ?
            """, [account])
        var byRemote = Dictionary(try existing.map { (try $0.value(0) as String, ResourceID(try $0.value(1) as Int64)) }, uniquingKeysWith: { first, _ in first })
        for resource in resources {
            let domain = resource.domain.lowercased()
            let held = try resource.certificateFingerprint.flatMap { try certificate(fingerprint: $0)?.id }
            if let kept = byRemote.removeValue(forKey: resource.remoteID) {
                // Its product and region are what it is: the cloud does not move a resource.
                try db.execute("UPDATE resource SET name = ?, domain = ?, parent_domain = ?, certificate_id = ? WHERE id = ?",
                        [resource.name, domain, DomainMatch.parent(of: domain), held?.rawValue, kept.rawValue])
            } else {
                let id = try insertResource(CloudResource(id: ResourceID(0), service: resource.service, region: resource.region,
                                                          name: resource.name, domain: domain, certificateID: held,
                                                          account: account))
                try db.execute("INSERT INTO cloud_resource (resource_id, remote_id) VALUES (?, ?)", [id.rawValue, resource.remoteID])
            }
        }
        // What the cloud no longer lists is no longer a resource; tasks keep its name in their pairs.
        for gone in byRemote.values { try db.execute("DELETE FROM resource WHERE id = ?", [gone.rawValue]) }
        return resources.count
    }
}

/// Providers' own references (SPEC 10 to 12), in `provider_reference`.
extension SQLSession {
    func reference(_ reference: ProviderReference) throws -> String? {
        try db.one(as: String.self, "SELECT value FROM provider_reference WHERE account = ? AND kind = ? AND subject = ?",
                            [reference.account, reference.kind.rawValue, reference.subject])
    }

    func setReference(_ value: String, for reference: ProviderReference) throws {
        try db.execute("""
            INSERT INTO provider_reference (account, kind, subject, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (account, kind, subject) DO UPDATE SET value = excluded.value
            """,
                [reference.account, reference.kind.rawValue, reference.subject, value])
    }
}
