import CertpushCore
import GRDB

/// What a training workspace changes about itself (W6), and a renamed certificate.
extension SQLiteSession {
    func rename(_ certificate: CertificateID, to name: String) throws {
        let domains = try String.fetchAll(db, sql: "SELECT domain FROM certificate_domain WHERE certificate_id = ? ORDER BY position",
                                          arguments: [certificate.rawValue])
        try run("UPDATE certificate SET name = ?, search_text = ? WHERE id = ?",
                [name, CertificateListEntry.searchText(id: certificate, name: name, domains: domains), certificate.rawValue])
    }

    func setFault(_ fault: String?, on resource: ResourceID) throws {
        try run("UPDATE resource SET fault = ? WHERE id = ?", [fault, resource.rawValue])
    }

    func eraseForReseed() throws {
        // Children before parents; the tallies' triggers follow the rows they count.
        try db.execute(sql: """
            DELETE FROM notification;
            DELETE FROM task;
            DELETE FROM task_pair_tally;
            DELETE FROM push_record;
            DELETE FROM resource;
            DELETE FROM resource_tally;
            DELETE FROM service_certificate;
            DELETE FROM service_region;
            DELETE FROM region;
            DELETE FROM certificate;
            DELETE FROM contact;
            DELETE FROM setting WHERE key NOT IN ('keyring.check', 'workspace.kind');
            """)
        // Ids start again at 1, as in a new workspace: exercises and the README name c1, r6, t1.
        try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name IN ('certificate', 'resource', 'task', 'task_pair', 'push_record', 'notification', 'service_certificate')")
    }
}
