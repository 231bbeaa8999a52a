import CertpushCore
import Foundation

/// Server resources (SPEC 13): a resource per TLS site, its site beside it.
extension SQLSession {
    func serverSite(_ resource: ResourceID) throws -> ServerSite? {
        try db.rows("SELECT * FROM server_site WHERE resource_id = ?", [resource.rawValue]).first.map(Self.site)
    }

    func sitesSharingFile(with resources: [ResourceID]) throws -> [ResourceID: [CloudResource]] {
        var shared: [ResourceID: [CloudResource]] = [:]
        for batch in Self.batches(resources) {
            let rows = try db.rows("""
                SELECT \(Self.resourceColumns), mine.resource_id FROM server_site mine
                JOIN resource me ON me.id = mine.resource_id
                JOIN server_site other ON other.host = mine.host AND other.certificate_path = mine.certificate_path
                    AND other.resource_id <> mine.resource_id
                JOIN resource ON resource.id = other.resource_id AND resource.account = me.account
                WHERE mine.resource_id IN (\(placeholders(batch.count)))
                ORDER BY resource.id
                """, bound(batch.map(\.rawValue)))
            for row in rows {
                shared[ResourceID(try row.value(8) as Int64), default: []].append(try Self.resource(row))
            }
        }
        return shared
    }

    private static func site(_ row: any SQLRow) throws -> ServerSite {
        ServerSite(host: try row.value("host"), address: try row.value("address"), port: try row.value("port"),
                   serverNames: (try row.value("server_names") as String).split(separator: " ").map(String.init),
                   certificatePath: try row.value("certificate_path"), keyPath: try row.value("key_path"), servedFingerprint: try row.value("served_fingerprint"))
    }

    func setServedFingerprint(_ fingerprint: String, on resource: ResourceID) throws {
        try db.execute("UPDATE server_site SET served_fingerprint = ? WHERE resource_id = ?", [fingerprint, resource.rawValue])
    }

    func replaceServerSites(account: String, service: String, host: String, with sites: [ServerSite]) throws -> Int {
        // A site is the same site while it listens on the same address and port under the same first name.
        func key(_ site: ServerSite) -> String { "\(site.address) \(site.port) \(site.domain)" }
        let existing = try db.rows("""
            SELECT server_site.*, resource.id AS rid FROM resource JOIN server_site ON server_site.resource_id = resource.id
            WHERE resource.account = ? AND resource.service = ? AND resource.region = ?
            """, [account, service, host])
        var byKey = Dictionary(try existing.map { (key(try Self.site($0)), ResourceID(try $0.value("rid") as Int64)) }, uniquingKeysWith: { first, _ in first })
        for site in sites {
            var served: CertificateID?
            if let fingerprint = site.servedFingerprint { served = try self.certificate(fingerprint: fingerprint)?.id }
            let id: ResourceID
            if let kept = byKey.removeValue(forKey: key(site)) {
                id = kept
                try db.execute("UPDATE resource SET name = ?, domain = ?, parent_domain = ?, certificate_id = ?, fault = ? WHERE id = ?",
                        [site.resourceName, site.domain.lowercased(), DomainMatch.parent(of: site.domain.lowercased()), served?.rawValue,
                         site.problem, id.rawValue])
            } else {
                id = try insertResource(CloudResource(id: ResourceID(0), service: service, region: host, name: site.resourceName,
                                                      domain: site.domain, certificateID: served, fault: site.problem, account: account))
            }
            try db.execute("""
                INSERT INTO server_site (resource_id, host, address, port, server_names, certificate_path, key_path, served_fingerprint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (resource_id) DO UPDATE SET host = excluded.host, address = excluded.address, port = excluded.port,
                    server_names = excluded.server_names, certificate_path = excluded.certificate_path, key_path = excluded.key_path,
                    served_fingerprint = excluded.served_fingerprint
                """, [id.rawValue, host, site.address, site.port, site.serverNames.joined(separator: " "), site.certificatePath,
                      site.keyPath, site.servedFingerprint])
        }
        // What the host no longer serves is no longer a resource; tasks keep its name in their pairs.
        for gone in byKey.values { try db.execute("DELETE FROM resource WHERE id = ?", [gone.rawValue]) }
        return sites.count
    }
}
