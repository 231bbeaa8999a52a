import CertpushCore
import Foundation
import GRDB

/// The cloud inventory's rows. A global service's region is stored as ''.
extension SQLiteSession {
    static func column(_ region: String?) -> String { region ?? "" }
    static func region(_ column: String) -> String? { column.isEmpty ? nil : column }

    func regions() throws -> [Region] {
        try Row.fetchAll(db, sql: "SELECT code, name FROM region ORDER BY position").map { Region(code: try $0.value(0), name: try $0.value(1)) }
    }

    func isEnabled(service: String, region: String?) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM service_region WHERE service = ? AND region = ?",
                          arguments: [service, Self.column(region)]) ?? false
    }

    func serviceStore(service: String, region: String?) throws -> [ServiceStoreEntry] {
        try serviceEntries(where: "service = ? AND region = ?", [service, Self.column(region)])
    }

    func serviceStores(holding certificate: CertificateID) throws -> [ServiceStoreEntry] {
        try serviceEntries(where: "certificate_id = ?", [certificate.rawValue])
    }

    private func serviceEntries(where clause: String, _ arguments: StatementArguments) throws -> [ServiceStoreEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM service_certificate WHERE \(clause) ORDER BY service, region, id", arguments: arguments).map { row in
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
        let (clause, arguments) = Self.clauses(filter)
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(Self.resourceColumns) FROM resource WHERE \(clause) ORDER BY id", arguments: arguments)
        while let row = try cursor.next() { try body(Self.resource(row)) }
    }

    func resources(servingAnyOf domains: [String], orUnder parents: [String]) throws -> [CloudResource] {
        var found: [CloudResource] = []
        // In batches, to stay under SQLite's limit on bound values.
        for (column, values) in [("domain", domains), ("parent_domain", parents)] where !values.isEmpty {
            for batch in Self.batches(values, of: 500) {
                try fetchResources("SELECT \(Self.resourceColumns) FROM resource WHERE \(column) IN (\(databaseQuestionMarks(count: batch.count)))",
                                   StatementArguments(Array(batch)), into: &found)
            }
        }
        var seen = Set<ResourceID>()
        return found.filter { seen.insert($0.id).inserted }.sorted { $0.id < $1.id }
    }

    func resources(_ ids: [ResourceID]) throws -> [CloudResource] {
        var found: [CloudResource] = []
        for batch in Self.batches(ids) {
            try fetchResources("SELECT \(Self.resourceColumns) FROM resource WHERE id IN (\(databaseQuestionMarks(count: batch.count)))",
                               StatementArguments(batch.map(\.rawValue)), into: &found)
        }
        return found.sorted { $0.id < $1.id }
    }

    func resource(_ id: ResourceID) throws -> CloudResource? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.resourceColumns) FROM resource WHERE id = ?"), arguments: [id.rawValue])
            .map(Self.resource)
    }

    /// Resources decoded from the statement's rows as they are stepped, no row copied (smart matching reads 100,000).
    private func fetchResources(_ sql: String, _ arguments: StatementArguments, into found: inout [CloudResource]) throws {
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() { found.append(try Self.resource(row)) }
    }

    /// The columns `resource(_:)` decodes, by position: names cost a lookup per column per row.
    static let resourceColumns = "resource.id, resource.service, resource.region, resource.name, resource.domain, resource.certificate_id, resource.fault, resource.account"

    static func resource(_ row: Row) throws -> CloudResource {
        CloudResource(
            id: ResourceID(try row.value(0) as Int64), service: try row.value(1), region: region(try row.value(2)), name: try row.value(3),
            domain: try row.value(4), certificateID: (try row.value(5) as Int64?).map(CertificateID.init), fault: try row.value(6), account: try row.value(7))
    }

    func resourceCountsByAccount() throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT account, count(*) FROM resource GROUP BY account").map { (try $0.value(0), try $0.value(1)) })
    }

    func pushRecords(certificate: CertificateID, limit: Int) throws -> [PushRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM push_record WHERE certificate_id = ? ORDER BY id DESC LIMIT ?",
                         arguments: [certificate.rawValue, max(0, limit)]).map(Self.pushRecord)
    }

    func pushedTargets(account: String) throws -> [CertificateID: Set<PushTarget>] {
        var found: [CertificateID: Set<PushTarget>] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT DISTINCT certificate_id, service, region FROM push_record WHERE account = ? AND succeeded = 1",
                                    arguments: [account]) {
            found[CertificateID(try row.value(0)), default: []].insert(PushTarget(service: try row.value(1), region: try row.value(2)))
        }
        return found
    }

    func pushesInFlight() throws -> [PushRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM push_record WHERE runner_pid IS NOT NULL ORDER BY id").map(Self.pushRecord)
    }

    private static func pushRecord(_ row: Row) throws -> PushRecord {
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
        try Int.fetchOne(db, sql: "SELECT count(*) FROM resource") ?? 0
    }

    func addRegion(_ region: Region) throws {
        try db.execute(sql: "INSERT INTO region (code, name, position) VALUES (?, ?, (SELECT count(*) FROM region))",
                       arguments: [region.code, region.name])
    }

    func enable(service: String, region: String?) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO service_region (service, region) VALUES (?, ?)",
                       arguments: [service, Self.column(region)])
    }

    func addToServiceStore(_ entry: ServiceStoreEntry) throws {
        try db.execute(sql: """
            INSERT INTO service_certificate (service, region, name, fingerprint, certificate_id, origin) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [entry.service, Self.column(entry.region), entry.name, entry.fingerprint,
                             entry.certificateID?.rawValue, entry.origin.rawValue])
    }

    func insertResource(_ resource: CloudResource) throws -> ResourceID {
        try run("""
            INSERT INTO resource (service, region, name, domain, parent_domain, certificate_id, fault, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [resource.service, Self.column(resource.region), resource.name, resource.domain.lowercased(),
                             DomainMatch.parent(of: resource.domain.lowercased()), resource.certificateID?.rawValue, resource.fault,
                             resource.account])
        return ResourceID(db.lastInsertedRowID)
    }

    func setCertificate(_ certificate: CertificateID?, on resource: ResourceID) throws {
        try run("UPDATE resource SET certificate_id = ? WHERE id = ?", [certificate?.rawValue, resource.rawValue])
    }

    func append(_ record: PushRecord) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO push_record (at, user, certificate_id, service, region, succeeded, reason, runner_pid, runner_host, account)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [record.at.timeIntervalSince1970, record.user, record.certificateID.rawValue,
                             record.target.service, Self.column(record.target.region), record.succeeded, record.reason, record.runner,
                             record.runnerHost, record.account])
        return db.lastInsertedRowID
    }

    func withdraw(_ record: PushRecord) throws {
        try db.execute(sql: "DELETE FROM push_record WHERE id = ?", arguments: [record.id])
    }

    func settle(_ record: PushRecord) throws {
        try db.execute(sql: "UPDATE push_record SET succeeded = ?, reason = ?, runner_pid = ?, runner_host = ?, remote_name = ? WHERE id = ?",
                       arguments: [record.succeeded, record.reason, record.runner, record.runnerHost, record.remoteName, record.id])
    }
}
