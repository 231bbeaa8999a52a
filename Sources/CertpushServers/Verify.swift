import CertpushCore
import Foundation

/// S5: what each server site serves now, by handshake, beside what certpush
/// recorded there. Drift is a site serving something else, or nothing.
public struct SiteVerification: Sendable, Equatable {
    public var resource: ResourceID
    public var name: String
    /// What the handshake found: a certificate id certpush knows, a fingerprint, or why it failed.
    public var served: String
    /// What certpush recorded: the resource's certificate, else the fingerprint the last sync read.
    public var expected: String
    public var ok: Bool
}

public enum Verify {
    /// Handshakes with each server resource (all of them when `ids` is empty); one at a time, no transaction open.
    public static func servers(_ store: any Store, ids: [ResourceID], timeLimit: TimeInterval = 5) throws -> [SiteVerification] {
        let resources: [(CloudResource, ServerSite)] = try store.read { db in
            let chosen = ids.isEmpty ? try db.resources(ResourceFilter()).filter { CloudService.named($0.service)?.onServers == true }
                : try db.resources(ids)
            return try chosen.compactMap { resource in try db.serverSite(resource.id).map { (resource, $0) } }
        }
        return try resources.map { resource, site in
            let expectedFingerprint = try store.read { db in try resource.certificateID.flatMap { try db.certificate($0)?.fingerprint } }
                ?? site.servedFingerprint
            let expected = resource.certificateID?.description ?? site.servedFingerprint.map { String($0.prefix(16)) + "…" } ?? "-"
            do {
                let fingerprint = try TLSProbe.servedFingerprint(address: site.connectAddress, port: site.port, serverName: site.domain,
                                                                 timeLimit: timeLimit)
                let known = try store.read { try $0.certificate(fingerprint: fingerprint)?.id }
                return SiteVerification(resource: resource.id, name: resource.name, served: known?.description ?? String(fingerprint.prefix(16)) + "…",
                                        expected: expected, ok: fingerprint == expectedFingerprint)
            } catch let failure as TLSProbe.Failure {
                return SiteVerification(resource: resource.id, name: resource.name, served: failure.description, expected: expected, ok: false)
            }
        }
    }
}
