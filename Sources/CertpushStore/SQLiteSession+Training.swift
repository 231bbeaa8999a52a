import CertpushCore
import Foundation
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
            DELETE FROM exercise_log;
            DELETE FROM setting WHERE key NOT IN ('keyring.check', 'workspace.kind');
            """)
        // Ids start again at 1, as in a new workspace: exercises and the README name c1, r6, t1.
        try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name IN ('certificate', 'resource', 'task', 'task_pair', 'push_record', 'notification', 'service_certificate')")
    }
}

/// E3: the facts the exercises are judged by, each a small query on a training workspace.
extension SQLiteSession {
    func noteExercise(_ event: String, subject: String, at: Date) throws {
        try run("INSERT INTO exercise_log (at, event, subject) VALUES (?, ?, ?)", [at.timeIntervalSince1970, event, subject])
    }

    func exerciseNoted(_ event: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM exercise_log WHERE event = ?)", arguments: [event]) ?? false
    }

    func exerciseFacts() throws -> ExerciseFacts {
        var facts = ExerciseFacts()
        facts.events = Set(try String.fetchAll(db, sql: "SELECT DISTINCT event FROM exercise_log"))
        // The activity log outlives a reset (W6): what counts is what came after the last one.
        let since = try Int64.fetchOne(db, sql: "SELECT max(id) FROM activity WHERE action = 'training.reset'") ?? 0
        facts.actions = Set(try ExerciseFacts.actionsAsked.filter { action in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM activity WHERE action = ? AND id > ?)", arguments: [action, since]) ?? false
        })
        facts.pushes = try Row.fetchAll(db, sql: """
            SELECT certificate_id, service, region, succeeded, reason FROM push_record WHERE account = 'sandbox' AND runner_pid IS NULL
            """).map { row in
            ExerciseFacts.Push(certificate: CertificateID(try row.value(0)), service: try row.value(1), region: (try row.value(2) as String).isEmpty ? nil : try row.value(2),
                               succeeded: try row.value(3), reason: try row.value(4))
        }
        facts.pairStatuses = Set(try String.fetchAll(db, sql: "SELECT DISTINCT status FROM task_pair_tally WHERE count > 0").compactMap(PairStatus.init))
        facts.tasks = try Int.fetchOne(db, sql: "SELECT count(*) FROM task") ?? 0
        // A scheduled task counts once made, even after it is deleted: the activity log keeps its time.
        facts.scheduledTasks = try Int.fetchOne(db, sql: "SELECT count(*) FROM activity WHERE id > ? AND action = 'task.create' AND detail GLOB '* pair*, at ????-??-??T??:??:??Z'",
                                                arguments: [since]) ?? 0
        facts.succeededAfterFix = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM task_pair JOIN activity ON activity.action = 'training.fix' AND activity.subject = 'r' || task_pair.resource_id
                           WHERE activity.id > ? AND task_pair.status IN ('succeeded', 'rolled_back'))
            """, arguments: [since]) ?? false
        return facts
    }
}
