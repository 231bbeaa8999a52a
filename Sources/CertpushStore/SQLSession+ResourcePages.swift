import CertpushCore
import Foundation

/// Pages of resources for screens: keyset paging over the (service, region,
/// id) index, counts from the tally the triggers of v6 keep, and text found
/// through a trigram index (SQLite's FTS5 table, PostgreSQL's pg_trgm
/// indexes, which serve ILIKE themselves) — no read here scans the inventory.
extension SQLSession {
    /// How many rows in list order a text filter looks through before it asks
    /// the trigram index instead: text found that often fills a page by then,
    /// and text rarer than that has few enough matches to sort.
    static let textScanBudget = 20_000

    func resourcePage(_ filter: ResourceFilter, _ anchor: PageAnchor<ResourcePosition>, limit: Int) throws -> [CloudResource] {
        guard limit > 0 else { return [] }
        switch anchor {
        case .first: return try segment(filter, "TRUE", [], descending: false, limit: limit)
        case .last: return try segment(filter, "TRUE", [], descending: true, limit: limit).reversed()
        case .after(let position), .from(let position):
            let inclusive: Bool = if case .from = anchor { true } else { false }
            // Two index seeks: the rest of the position's group, then the groups after it.
            var rows = try segment(filter, "service = ? AND region = ? AND id \(inclusive ? ">=" : ">") ?", Self.arguments(position),
                                   descending: false, limit: limit)
            if rows.count < limit {
                rows += try segment(filter, "(service, region) > (?, ?)", [position.service, Self.column(position.region)],
                                    descending: false, limit: limit - rows.count)
            }
            return rows
        case .before(let position):
            var rows = try segment(filter, "service = ? AND region = ? AND id < ?", Self.arguments(position), descending: true, limit: limit)
            if rows.count < limit {
                rows += try segment(filter, "(service, region) < (?, ?)", [position.service, Self.column(position.region)],
                                    descending: true, limit: limit - rows.count)
            }
            return rows.reversed()
        }
    }

    func resourceTally() throws -> [ResourceTally] {
        try db.rows("SELECT service, region, count FROM resource_tally WHERE count > 0 ORDER BY service, region").map {
            ResourceTally(service: try $0.value(0), region: Self.region(try $0.value(1)), count: try $0.value(2))
        }
    }

    func resourceCount(_ filter: ResourceFilter, upTo limit: Int) throws -> Int {
        let text = filter.text.trimmed
        if text.isEmpty && filter.certificateID == nil && filter.account == nil {
            var clauses = ["TRUE"], arguments = SQLArguments()
            if let service = filter.service { clauses.append("service = ?"); arguments.append(service) }
            if let region = filter.region { clauses.append("region = ?"); arguments.append(region) }
            let total = try db.one(as: Int.self, "SELECT coalesce(sum(count), 0) FROM resource_tally WHERE \(clauses.joined(separator: " AND "))",
                                         arguments) ?? 0
            return min(total, limit)
        }
        let (clause, arguments) = Self.clauses(filter, db.dialect)
        if let id = ResourceID(text), searchesTextTable(text) {
            // An id (r17): that resource, and the text found by the trigram index.
            return try db.one(as: Int.self, """
                SELECT count(*) FROM (SELECT 1 FROM resource WHERE (resource.id = ? OR resource.id IN
                    (SELECT rowid FROM resource_text WHERE resource_text MATCH ?)) AND \(clause) LIMIT ?) AS matched
                """, [id.rawValue, Self.phrase(text)] + arguments + [limit]) ?? 0
        }
        if searchesTextTable(text) {
            // The trigram index leads, so that rare text is counted without a scan.
            return try db.one(as: Int.self, """
                SELECT count(*) FROM (SELECT 1 FROM resource_text CROSS JOIN resource ON resource.id = resource_text.rowid
                                      WHERE resource_text MATCH ? AND \(clause) LIMIT ?) AS matched
                """, [Self.phrase(text)] + arguments + [limit]) ?? 0
        }
        return try db.one(as: Int.self, "SELECT count(*) FROM (SELECT 1 FROM resource WHERE \(clause) LIMIT ?) AS matched",
                                arguments + [limit]) ?? 0
    }

    /// The filter's rows that also meet `range`, in list order or its reverse.
    private func segment(_ filter: ResourceFilter, _ range: String, _ rangeArguments: SQLArguments,
                         descending: Bool, limit: Int) throws -> [CloudResource] {
        let order = descending ? "service DESC, region DESC, id DESC" : "service, region, id"
        let text = filter.text.trimmed
        var plain = filter
        plain.text = ""
        let (base, baseArguments) = Self.clauses(plain, db.dialect)
        let arguments = rangeArguments + baseArguments
        guard !text.isEmpty else {
            return try fetchResources("SELECT \(Self.resourceColumns) FROM resource WHERE \(range) AND \(base) ORDER BY \(order) LIMIT ?", arguments + [limit])
        }
        let (matches, textArguments) = Self.textClause(text, db.dialect)
        // Text found often fills the page within the first rows in order...
        let scanned = try fetchResources("""
            SELECT * FROM (SELECT \(Self.resourceColumns) FROM resource WHERE \(range) AND \(base) ORDER BY \(order) LIMIT \(Self.textScanBudget)) AS resource
            WHERE \(matches) ORDER BY \(order) LIMIT ?
            """, arguments + textArguments + [limit])
        guard scanned.count < limit else { return scanned }
        // ...and text found rarely has few matches: the trigram index finds them all.
        guard searchesTextTable(text) else {
            return try fetchResources("SELECT \(Self.resourceColumns) FROM resource WHERE \(range) AND \(base) AND \(matches) ORDER BY \(order) LIMIT ?",
                                      arguments + textArguments + [limit])
        }
        var indexed: SQLArguments = [ResourceID(text)?.rawValue ?? -1, Self.phrase(text)]
        indexed += arguments
        indexed += textArguments
        indexed += [limit]
        return try fetchResources("""
            SELECT \(Self.resourceColumns) FROM resource WHERE (id = ? OR id IN (SELECT rowid FROM resource_text WHERE resource_text MATCH ?))
            AND \(range) AND \(base) AND \(matches) ORDER BY \(order) LIMIT ?
            """, indexed)
    }

    private func fetchResources(_ sql: String, _ arguments: SQLArguments) throws -> [CloudResource] {
        try db.rows(sql, arguments).map(Self.resource)
    }

    /// The filter as SQL over `resource`, text included.
    static func clauses(_ filter: ResourceFilter, _ dialect: SQLDialect) -> (String, SQLArguments) {
        var clauses = ["TRUE"]
        var arguments = SQLArguments()
        if let service = filter.service {
            clauses.append("resource.service = ?")
            arguments.append(service)
        }
        if let region = filter.region {
            clauses.append("resource.region = ?")
            arguments.append(region)
        }
        if let account = filter.account {
            clauses.append("resource.account = ?")
            arguments.append(account)
        }
        if let certificate = filter.certificateID {
            clauses.append("resource.certificate_id = ?")
            arguments.append(certificate.rawValue)
        }
        let text = filter.text.trimmed
        if !text.isEmpty {
            let (matches, textArguments) = textClause(text, dialect)
            clauses.append(matches)
            _ = arguments.append(contentsOf: textArguments)
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    /// Text in the name or the domain; a resource's id too, written as the lists show it (r17) or bare (17).
    private static func textClause(_ text: String, _ dialect: SQLDialect) -> (String, SQLArguments) {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let pattern = "%\(escaped)%"
        let byText = "resource.name \(dialect.like) ? ESCAPE '\\' OR resource.domain \(dialect.like) ? ESCAPE '\\'"
        guard let id = ResourceID(text) else { return ("(\(byText))", [pattern, pattern]) }
        return ("(resource.id = ? OR \(byText))", [id.rawValue, pattern, pattern])
    }

    private static func arguments(_ position: ResourcePosition) -> SQLArguments {
        [position.service, column(position.region), position.id.rawValue]
    }

    /// Whether text is found through SQLite's FTS5 trigram table, which
    /// finds text of three characters or more. PostgreSQL's trigram indexes
    /// are on the columns and serve the LIKE itself.
    private func searchesTextTable(_ text: String) -> Bool {
        db.dialect == .sqlite && text.unicodeScalars.count >= 3
    }

    /// FTS5 query syntax for "contains this text": one quoted phrase.
    private static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

private extension String {
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
