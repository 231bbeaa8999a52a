import CertpushCore
import Foundation

/// The core's reader and writer on a transaction of another database's
/// (PostgreSQL's): the same SQL as SQLite's, in its dialect.
/// `locksRows`: a write transaction among other writers (PostgreSQL's):
/// what it reads to change (a task, a setting such as the quota) is locked
/// until it ends, so that two transactions never both change what each read.
public func storeSession(on connection: any SQLConnection, vault: KeyVault, locksRows: Bool = false) -> any StoreWriter {
    SQLSession(connection, vault: vault, locksRows: locksRows)
}

/// One transaction's view of the database, as the core's reader and writer:
/// the store's SQL, written once for SQLite and PostgreSQL (T1).
struct SQLSession: StoreWriter {
    let db: any SQLConnection
    /// Seals private keys on their way in, opens them on their way out.
    let vault: KeyVault

    /// Whether rows read to be changed are locked until the transaction ends (see `storeSession`).
    let locksRows: Bool

    init(_ connection: any SQLConnection, vault: KeyVault, locksRows: Bool = false) {
        db = connection
        self.vault = vault
        self.locksRows = locksRows
    }

    /// `FOR UPDATE` where this transaction locks what it reads to change.
    var forUpdate: String { locksRows ? " FOR UPDATE" : "" }

    /// `values` in slices small enough to bind in one `IN (...)`: SQLite takes 32,766 values at most.
    static func batches<T>(_ values: [T], of size: Int = 10_000) -> [ArraySlice<T>] {
        stride(from: 0, to: values.count, by: size).map { values[$0..<min(values.count, $0 + size)] }
    }

    // MARK: Certificates

    func certificate(_ id: CertificateID) throws -> Certificate? {
        try fetchCertificates(where: "c.id = ?", [id.rawValue]).first
    }

    func certificate(fingerprint: String) throws -> Certificate? {
        try fetchCertificates(where: "c.fingerprint = ?", [fingerprint]).first
    }

    func certificateCount() throws -> Int {
        try db.one(as: Int.self, "SELECT count(*) FROM certificate") ?? 0
    }

    func certificateIDs(offset: Int, limit: Int) throws -> [CertificateID] {
        try db.column(as: Int64.self, "SELECT id FROM certificate ORDER BY id DESC LIMIT ? OFFSET ?", [limit, offset])
            .map(CertificateID.init)
    }

    func certificateListing() throws -> CertificateListing {
        try db.listing("""
            SELECT id, source = 'official',
                   CASE lifecycle WHEN 'pending' THEN 0 WHEN 'issued' THEN 1 WHEN 'hosted' THEN 2 ELSE 3 END,
                   not_after, search_text
            FROM certificate ORDER BY id DESC
            """)
    }

    func certificates(_ ids: [CertificateID], pems: Bool) throws -> [Certificate] {
        var byID: [CertificateID: Certificate] = [:]
        for batch in Self.batches(ids) {
            let found = try fetchCertificates(
                where: "c.id IN (\(placeholders(batch.count)))", bound(batch.map(\.rawValue)), pems: pems)
            for certificate in found { byID[certificate.id] = certificate }
        }
        return ids.compactMap { byID[$0] }
    }

    func insert(_ draft: CertificateDraft) throws -> CertificateID {
        let c = draft.certificate
        let id = CertificateID(try db.insert("""
            INSERT INTO certificate (name, key_algorithm, family, source, lifecycle, not_before, not_after,
                issuer, serial, fingerprint, has_private_key, manual_csr, shared, created_at, search_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')
            """, [
                c.name, c.keyAlgorithm.rawValue, c.family.rawValue, c.source.rawValue, c.lifecycle.rawValue,
                c.notBefore?.timeIntervalSince1970, c.notAfter?.timeIntervalSince1970,
                c.issuer, c.serial, c.fingerprint.isEmpty ? nil : c.fingerprint, c.hasPrivateKey || draft.privateKeyPEM != nil, c.manualCSR, c.shared,
                c.createdAt.timeIntervalSince1970,
            ]))
        let searchText = CertificateListEntry.searchText(id: id, name: c.name, domains: c.domains)
        try db.execute("UPDATE certificate SET search_text = ? WHERE id = ?", [searchText, id.rawValue])
        if let pem = c.certificatePEM {
            try db.execute("INSERT INTO certificate_material (certificate_id, certificate_pem, chain_pem) VALUES (?, ?, ?)",
                           [id.rawValue, pem, c.chainPEM.joined()])
        }
        for (position, domain) in c.domains.enumerated() {
            try db.execute("INSERT INTO certificate_domain (certificate_id, position, domain) VALUES (?, ?, ?)", [id.rawValue, position, domain])
        }
        if let pem = draft.privateKeyPEM {
            try db.execute("INSERT INTO private_key (certificate_id, pem) VALUES (?, ?)", [id.rawValue, try vault.seal(pem)])
        }
        // S1: a server site whose file holds this certificate serves it, whether synchronize or import came first.
        if !c.fingerprint.isEmpty {
            try db.execute("""
                UPDATE resource SET certificate_id = ? WHERE certificate_id IS NULL
                    AND id IN (SELECT resource_id FROM server_site WHERE served_fingerprint = ?)
                """, [id.rawValue, c.fingerprint])
        }
        return id
    }

    func deleteCertificate(_ id: CertificateID) throws {
        try db.execute("DELETE FROM certificate WHERE id = ?", [id.rawValue])
    }

    // MARK: Activity and settings

    func append(_ entry: ActivityEntry) throws {
        try db.execute("INSERT INTO activity (at, \"user\", action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                       [entry.at.timeIntervalSince1970, entry.user, entry.action, entry.subject, entry.detail])
    }

    func activity(limit: Int) throws -> [ActivityEntry] {
        try db.rows("SELECT * FROM activity ORDER BY id DESC LIMIT ?", [max(0, limit)]).map { row in
            ActivityEntry(at: Date(timeIntervalSince1970: try row.value("at")), user: try row.value("user"),
                          action: try row.value("action"), subject: try row.value("subject"), detail: try row.value("detail"))
        }
    }

    func value(forKey key: String) throws -> String? {
        try db.one(as: String.self, "SELECT value FROM setting WHERE key = ?" + forUpdate, [key])
    }

    func setValue(_ value: String, forKey key: String) throws {
        try db.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])
    }

    func privateKeyPEM(of certificate: CertificateID) throws -> String? {
        try db.one(as: String.self, "SELECT pem FROM private_key WHERE certificate_id = ?", [certificate.rawValue])
            .map(vault.open)
    }

    func secret(forKey key: String) throws -> String? {
        try value(forKey: key).map(vault.open)
    }

    func setSecret(_ secret: String, forKey key: String) throws {
        try setValue(try vault.seal(secret), forKey: key)
    }

    // MARK: Reading rows

    private func fetchCertificates(where clause: String, _ arguments: SQLArguments, pems: Bool = true) throws -> [Certificate] {
        let rows = try db.rows(pems ? """
            SELECT c.*, m.certificate_pem, m.chain_pem FROM certificate c
            LEFT JOIN certificate_material m ON m.certificate_id = c.id
            WHERE \(clause)
            """ : "SELECT c.*, NULL AS certificate_pem, NULL AS chain_pem FROM certificate c WHERE \(clause)", arguments)
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.value("id") as Int64 }
        var domains: [Int64: [String]] = [:]
        for row in try db.rows("""
            SELECT certificate_id, domain FROM certificate_domain
            WHERE certificate_id IN (\(placeholders(ids.count))) ORDER BY certificate_id, position
            """, bound(ids)) {
            domains[try row.value("certificate_id"), default: []].append(try row.value("domain"))
        }
        return try rows.map { row in try Self.certificate(row, domains: domains[try row.value("id")] ?? []) }
    }

    /// Every certificate, newest first, one at a time: a cursor, so a list of
    /// 100,000 is written as it is read and never held whole.
    func forEachCertificate(_ body: (_ certificate: Certificate, _ chainLength: Int) throws -> Void) throws {
        // The chain's certificates counted by their END lines in SQLite, the PEMs never copied out.
        let domainList = db.dialect.lines(of: "domain", from: "certificate_domain d WHERE d.certificate_id = c.id", orderedBy: "position")
        try db.forEachRow("""
            SELECT c.*, NULL AS certificate_pem, NULL AS chain_pem,
                   (length(m.chain_pem) - length(replace(m.chain_pem, '-----END CERTIFICATE-----', ''))) / 25 AS chain_length,
                   \(domainList) AS domain_list
            FROM certificate c LEFT JOIN certificate_material m ON m.certificate_id = c.id
            ORDER BY c.id DESC
            """, []) { row in
            // Split as bytes: a newline is never inside a domain, and a Character walk costs a tenth of the listing.
            let domains = (try row.value("domain_list") as String?).map { $0.utf8.split(separator: 10).map { String(decoding: $0, as: UTF8.self) } } ?? []
            try body(Self.certificate(row, domains: domains), try row.value("chain_length") ?? 0)
        }
    }

    private static func certificate(_ row: any SQLRow, domains: [String]) throws -> Certificate {
        let id: Int64 = try row.value("id")
        let chain: String = try row.value("chain_pem") ?? ""
        return Certificate(
            id: CertificateID(id), name: try row.value("name"), domains: domains,
            keyAlgorithm: KeyAlgorithm(rawValue: try row.value("key_algorithm")),
            family: CertificateFamily(rawValue: try row.value("family")) ?? .international,
            source: CertificateSource(rawValue: try row.value("source")) ?? .uploaded,
            lifecycle: CertificateLifecycle(rawValue: try row.value("lifecycle")) ?? .hosted,
            notBefore: (try row.value("not_before") as Double?).map(Date.init(timeIntervalSince1970:)),
            notAfter: (try row.value("not_after") as Double?).map(Date.init(timeIntervalSince1970:)),
            issuer: try row.value("issuer"), serial: try row.value("serial"), fingerprint: try row.value("fingerprint") ?? "",
            certificatePEM: try row.value("certificate_pem"), chainPEM: Self.splitPEM(chain),
            hasPrivateKey: try row.value("has_private_key"), manualCSR: try row.value("manual_csr"), shared: try row.value("shared"),
            createdAt: Date(timeIntervalSince1970: try row.value("created_at")))
    }

    /// The chain's certificates, each PEM ending in its END line and a newline.
    private static func splitPEM(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        let end = "-----END CERTIFICATE-----"
        return text.components(separatedBy: end).dropLast().map { $0.trimmingCharacters(in: .newlines) + "\n" + end + "\n" }
    }
}
