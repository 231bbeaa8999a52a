import CertpushCore
import Foundation

/// The cloud inventory's rows. A global service's region is stored as ''.
extension SQLSession {
    static func column(_ region: String?) -> String { region ?? "" }
    static func region(_ column: String) -> String? { column.isEmpty ? nil : column }

    func regions() throws -> [Region] {
        try db.rows("SELECT code, name FROM region ORDER BY position").map { Region(code: try $0.value(0), name: try $0.value(1)) }
    }

    func isEnabled(service: String, region: String?) throws -> Bool {
        try db.one(as: Bool.self, "SELECT 1 FROM service_region WHERE service = ? AND region = ?",
                          [service, Self.column(region)]) ?? false
    }

    func serviceStore(service: String, region: String?) throws -> [ServiceStoreEntry] {
        try serviceEntries(where: "service = ? AND region = ?", [service, Self.column(region)])
    }

    func serviceStores(holding certificate: CertificateID) throws -> [ServiceStoreEntry] {
        try serviceEntries(where: "certificate_id = ?", [certificate.rawValue])
    }

    private func serviceEntries(where clause: String, _ arguments: SQLArguments) throws -> [ServiceStoreEntry] {
        try db.rows("SELECT * FROM service_certificate WHERE \(clause) ORDER BY service, region, id", arguments).map { row in
            ServiceStoreEntry(
                service: try row.value("service"), region: Self.region(try row.value("region")), name: try row.value("name"), fingerprint: try row.value("fingerprint"),
                certificateID: (try row.value("certificate_id") as Int64?).map(CertificateID.init),
                origin: ServiceStoreEntry.Origin(rawValue: try row.value("origin")) ?? .uploaded)
        }
    }

    func resources(_ filter: ResourceFilter) throws -> [CloudResource] {
        var found: [CloudResource] = []
        try forEachResource(filter) { found.append($0) }
        return found
    }

    func forEachResource(_ filter: ResourceFilter, _ body: (CloudResource) throws -> Void) throws {
        let (clause, arguments) = Self.clauses(filter, db.dialect)
        try db.forEachRow("SELECT \(Self.resourceColumns) FROM resource WHERE \(clause) ORDER BY id", arguments) { try body(Self.resource($0)) }
    }

    func resources(servingAnyOf domains: [String], orUnder parents: [String]) throws -> [CloudResource] {
        var found: [CloudResource] = []
        // In batches, to stay under SQLite's limit on bound values.
        for (column, values) in [("domain", domains), ("parent_domain", parents)] where !values.isEmpty {
            for batch in Self.batches(values, of: 500) {
                try fetchResources("SELECT \(Self.resourceColumns) FROM resource WHERE \(column) IN (\(placeholders(batch.count)))",
                                   bound(Array(batch)), into: &found)
            }
        }
        var seen = Set<ResourceID>()
        return found.filter { seen.insert($0.id).inserted }.sorted { $0.id < $1.id }
    }

    func resources(_ ids: [ResourceID]) throws -> [CloudResource] {
        var found: [CloudResource] = []
        for batch in Self.batches(ids) {
            try fetchResources("SELECT \(Self.resourceColumns) FROM resource WHERE id IN (\(placeholders(batch.count)))",
                               bound(batch.map(\.rawValue)), into: &found)
        }
        return found.sorted { $0.id < $1.id }
    }

    func resource(_ id: ResourceID) throws -> CloudResource? {
        try db.rows("SELECT \(Self.resourceColumns) FROM resource WHERE id = ?", [id.rawValue]).first.map(Self.resource)
    }

    /// Resources decoded from the statement's rows as they are stepped, no row copied (smart matching reads 100,000).
    private func fetchResources(_ sql: String, _ arguments: SQLArguments, into found: inout [CloudResource]) throws {
        try db.forEachRow(sql, arguments) { found.append(try Self.resource($0)) }
    }

    /// The columns `resource(_:)` decodes, by position: names cost a lookup per column per row.
    static let resourceColumns = "resource.id, resource.service, resource.region, resource.name, resource.domain, resource.certificate_id, resource.fault, resource.account"

    static func resource(_ row: any SQLRow) throws -> CloudResource {
        CloudResource(
            id: ResourceID(try row.value(0) as Int64), service: try row.value(1), region: region(try row.value(2)), name: try row.value(3),
            domain: try row.value(4), certificateID: (try row.value(5) as Int64?).map(CertificateID.init), fault: try row.value(6), account: try row.value(7))
    }

    func resourceCountsByAccount() throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try db.rows("SELECT account, count(*) FROM resource GROUP BY account").map { (try $0.value(0), try $0.value(1)) })
    }

    func pushRecords(certificate: CertificateID, limit: Int) throws -> [PushRecord] {
        try db.rows("SELECT * FROM push_record WHERE certificate_id = ? ORDER BY id DESC LIMIT ?",
                         [certificate.rawValue, max(0, limit)]).map(Self.pushRecord)
    }

    func pushedTargets(account: String) throws -> [CertificateID: Set<PushTarget>] {
        var found: [CertificateID: Set<PushTarget>] = [:]
        for row in try db.rows("SELECT DISTINCT certificate_id, service, region FROM push_record WHERE account = ? AND succeeded = 1",
                                    [account]) {
            found[CertificateID(try row.value(0)), default: []].insert(PushTarget(service: try row.value(1), region: try row.value(2)))
        }
        return found
    }

    func pushesInFlight() throws -> [PushRecord] {
        try db.rows("SELECT * FROM push_record WHERE runner_pid IS NOT NULL ORDER BY id").map(Self.pushRecord)
    }

    private static func pushRecord(_ row: any SQLRow) throws -> PushRecord {
        var record = PushRecord(
            at: Date(timeIntervalSince1970: try row.value("at")), user: try row.value("user"), certificateID: CertificateID(try row.value("certificate_id")),
            target: PushTarget(service: try row.value("service"), region: region(try row.value("region"))),
            succeeded: try row.value("succeeded"), reason: try row.value("reason"), runner: try row.value("runner_pid"), account: try row.value("account"))
        record.id = try row.value("id")
        record.remoteName = try row.value("remote_name")
        record.runnerHost = try row.value("runner_host")
        return record
    }

    func resourceCount() throws -> Int {
        try db.one(as: Int.self, "SELECT count(*) FROM resource") ?? 0
    }

    func addRegion(_ region: Region) throws {
        try db.execute("INSERT INTO region (code, name, position) VALUES (?, ?, (SELECT count(*) FROM region))",
                       [region.code, region.name])
    }

    func enable(service: String, region: String?) throws {
        try db.execute("INSERT INTO service_region (service, region) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       [service, Self.column(region)])
    }

    func addToServiceStore(_ entry: ServiceStoreEntry) throws {
        try db.execute("""
            INSERT INTO service_certificate (service, region, name, fingerprint, certificate_id, origin) VALUES (?, ?, ?, ?, ?, ?)
            """, [entry.service, Self.column(entry.region), entry.name, entry.fingerprint,
                             entry.certificateID?.rawValue, entry.origin.rawValue])
    }

    func insertResource(_ resource: CloudResource) throws -> ResourceID {
        ResourceID(try db.insert("""
            INSERT INTO resource (service, region, name, domain, parent_domain, certificate_id, fault, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [resource.service, Self.column(resource.region), resource.name, resource.domain.lowercased(),
                             DomainMatch.parent(of: resource.domain.lowercased()), resource.certificateID?.rawValue, resource.fault,
                             resource.account]))
    }

    func setCertificate(_ certificate: CertificateID?, on resource: ResourceID) throws {
        try db.execute("UPDATE resource SET certificate_id = ? WHERE id = ?", [certificate?.rawValue, resource.rawValue])
    }

    func append(_ record: PushRecord) throws -> Int64 {
        try db.insert("""
            INSERT INTO push_record (at, "user", certificate_id, service, region, succeeded, reason, runner_pid, runner_host, account)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [record.at.timeIntervalSince1970, record.user, record.certificateID.rawValue,
                             record.target.service, Self.column(record.target.region), record.succeeded, record.reason, record.runner,
                             record.runnerHost, record.account])
    }

    func withdraw(_ record: PushRecord) throws {
        try db.execute("DELETE FROM push_record WHERE id = ?", [record.id])
    }

    func settle(_ record: PushRecord) throws {
        try db.execute("UPDATE push_record SET succeeded = ?, reason = ?, runner_pid = ?, runner_host = ?, remote_name = ? WHERE id = ?",
                       [record.succeeded, record.reason, record.runner, record.runnerHost, record.remoteName, record.id])
    }
}
