import CertpushCore
import Foundation
import GRDB

/// One transaction's view of the database, as the core's reader and writer.
struct SQLiteSession: StoreWriter {
    let db: Database

    // MARK: Certificates

    func certificate(_ id: CertificateID) throws -> Certificate? {
        try fetchCertificates(where: "id = ?", [id.rawValue]).first
    }

    func certificate(fingerprint: String) throws -> Certificate? {
        try fetchCertificates(where: "fingerprint = ?", [fingerprint]).first
    }

    func countCertificates(_ query: CertificateQuery) throws -> Int {
        let (clause, arguments) = filter(query)
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM certificate WHERE \(clause)", arguments: arguments) ?? 0
    }

    func certificates(_ query: CertificateQuery, offset: Int, limit: Int) throws -> [Certificate] {
        let (clause, arguments) = filter(query)
        return try fetchCertificates(
            where: clause, arguments, suffix: "ORDER BY id DESC LIMIT \(max(0, limit)) OFFSET \(max(0, offset))")
    }

    func insert(_ draft: CertificateDraft) throws -> CertificateID {
        let c = draft.certificate
        try db.execute(sql: """
            INSERT INTO certificate (name, key_algorithm, family, source, lifecycle, not_before, not_after,
                issuer, serial, fingerprint, certificate_pem, chain_pem, has_private_key, manual_csr, shared,
                created_at, search_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')
            """, arguments: [
                c.name, c.keyAlgorithm.rawValue, c.family.rawValue, c.source.rawValue, c.lifecycle.rawValue,
                c.notBefore?.timeIntervalSince1970, c.notAfter?.timeIntervalSince1970,
                c.issuer, c.serial, c.fingerprint.isEmpty ? nil : c.fingerprint, c.certificatePEM,
                c.chainPEM.joined(), c.hasPrivateKey || draft.privateKeyPEM != nil, c.manualCSR, c.shared,
                c.createdAt.timeIntervalSince1970,
            ])
        let id = CertificateID(db.lastInsertedRowID)
        let searchText = ([id.description, c.name] + c.domains).joined(separator: " ").lowercased()
        try db.execute(sql: "UPDATE certificate SET search_text = ? WHERE id = ?", arguments: [searchText, id.rawValue])
        for (position, domain) in c.domains.enumerated() {
            try db.execute(
                sql: "INSERT INTO certificate_domain (certificate_id, position, domain) VALUES (?, ?, ?)",
                arguments: [id.rawValue, position, domain])
        }
        if let pem = draft.privateKeyPEM {
            try db.execute(sql: "INSERT INTO private_key (certificate_id, pem) VALUES (?, ?)", arguments: [id.rawValue, pem])
        }
        return id
    }

    func deleteCertificate(_ id: CertificateID) throws {
        try db.execute(sql: "DELETE FROM certificate WHERE id = ?", arguments: [id.rawValue])
    }

    // MARK: Activity and settings

    func append(_ entry: ActivityEntry) throws {
        try db.execute(
            sql: "INSERT INTO activity (at, user, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [entry.at.timeIntervalSince1970, entry.user, entry.action, entry.subject, entry.detail])
    }

    func activity(limit: Int) throws -> [ActivityEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM activity ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)]).map { row in
            ActivityEntry(at: Date(timeIntervalSince1970: row["at"]), user: row["user"],
                          action: row["action"], subject: row["subject"], detail: row["detail"])
        }
    }

    func value(forKey key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key])
    }

    func setValue(_ value: String, forKey key: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", arguments: [key, value])
    }

    // MARK: Reading rows

    private func filter(_ query: CertificateQuery) -> (String, StatementArguments) {
        var clauses = ["1"]
        var arguments = StatementArguments()
        if let source = query.source {
            clauses.append("source = ?")
            _ = arguments.append(contentsOf: [source.rawValue])
        }
        let text = query.text.trimmingCharacters(in: .whitespaces).lowercased()
        if !text.isEmpty {
            clauses.append("instr(search_text, ?) > 0")
            _ = arguments.append(contentsOf: [text])
        }
        if let window = query.expiring {
            clauses.append("lifecycle IN ('issued', 'hosted') AND not_after >= ? AND not_after < ?")
            _ = arguments.append(contentsOf: [window.lowerBound.timeIntervalSince1970, window.upperBound.timeIntervalSince1970])
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    private func fetchCertificates(where clause: String, _ arguments: StatementArguments, suffix: String = "") throws -> [Certificate] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM certificate WHERE \(clause) \(suffix)", arguments: arguments)
        guard !rows.isEmpty else { return [] }
        let ids = rows.map { $0["id"] as Int64 }
        var domains: [Int64: [String]] = [:]
        let placeholders = databaseQuestionMarks(count: ids.count)
        for row in try Row.fetchAll(db, sql: """
            SELECT certificate_id, domain FROM certificate_domain
            WHERE certificate_id IN (\(placeholders)) ORDER BY certificate_id, position
            """, arguments: StatementArguments(ids)) {
            domains[row["certificate_id"], default: []].append(row["domain"])
        }
        return rows.map { row in
            let id: Int64 = row["id"]
            let chain: String = row["chain_pem"]
            return Certificate(
                id: CertificateID(id), name: row["name"], domains: domains[id] ?? [],
                keyAlgorithm: KeyAlgorithm(rawValue: row["key_algorithm"]),
                family: CertificateFamily(rawValue: row["family"]) ?? .international,
                source: CertificateSource(rawValue: row["source"]) ?? .uploaded,
                lifecycle: CertificateLifecycle(rawValue: row["lifecycle"]) ?? .hosted,
                notBefore: (row["not_before"] as Double?).map(Date.init(timeIntervalSince1970:)),
                notAfter: (row["not_after"] as Double?).map(Date.init(timeIntervalSince1970:)),
                issuer: row["issuer"], serial: row["serial"], fingerprint: row["fingerprint"] ?? "",
                certificatePEM: row["certificate_pem"], chainPEM: Self.splitPEM(chain),
                hasPrivateKey: row["has_private_key"], manualCSR: row["manual_csr"], shared: row["shared"],
                createdAt: Date(timeIntervalSince1970: row["created_at"]))
        }
    }

    private static func splitPEM(_ text: String) -> [String] {
        let end = "-----END CERTIFICATE-----"
        return text.components(separatedBy: end).dropLast().map { $0.trimmingCharacters(in: .newlines) + "\n" + end + "\n" }
    }
}
