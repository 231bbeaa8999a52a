import CertpushCore
import Foundation

/// What a training workspace changes about itself (W6), and a renamed certificate.
extension SQLSession {
    func rename(_ certificate: CertificateID, to name: String) throws {
        let domains = try db.column(as: String.self, "SELECT domain FROM certificate_domain WHERE certificate_id = ? ORDER BY position",
                                          [certificate.rawValue])
        try db.execute("UPDATE certificate SET name = ?, search_text = ? WHERE id = ?",
                [name, CertificateListEntry.searchText(id: certificate, name: name, domains: domains), certificate.rawValue])
    }

    func setFault(_ fault: String?, on resource: ResourceID) throws {
        try db.execute("UPDATE resource SET fault = ? WHERE id = ?", [fault, resource.rawValue])
    }

    func eraseForReseed() throws {
        // Children before parents; the tallies' triggers follow the rows they count.
        for table in ["notification", "task", "task_pair_tally", "push_record", "resource", "resource_tally", "service_certificate",
                      "service_region", "region", "certificate", "contact", "exercise_log"] {
            try db.execute("DELETE FROM \(table)")
        }
        try db.execute("DELETE FROM setting WHERE key NOT IN ('keyring.check', 'workspace.kind')")
        // Ids start again at 1, as in a new workspace: exercises and the README name c1, r6, t1.
        try db.restartIDs(of: ["certificate", "resource", "task", "task_pair", "push_record", "notification", "service_certificate"])
    }
}

/// E3: the facts the exercises are judged by, each a small query on a training workspace.
extension SQLSession {
    func noteExercise(_ event: String, subject: String, at: Date) throws {
        try db.execute("INSERT INTO exercise_log (at, event, subject) VALUES (?, ?, ?)", [at.timeIntervalSince1970, event, subject])
    }

    func exerciseNoted(_ event: String) throws -> Bool {
        try db.one(as: Bool.self, "SELECT EXISTS (SELECT 1 FROM exercise_log WHERE event = ?)", [event]) ?? false
    }

    func exerciseFacts() throws -> ExerciseFacts {
        var facts = ExerciseFacts()
        facts.events = Set(try db.column(as: String.self, "SELECT DISTINCT event FROM exercise_log"))
        // The activity log outlives a reset (W6): what counts is what came after the last one.
        let since = try db.one(as: Int64.self, "SELECT max(id) FROM activity WHERE action = 'training.reset'") ?? 0
        facts.actions = Set(try ExerciseFacts.actionsAsked.filter { action in
            try db.one(as: Bool.self, "SELECT EXISTS (SELECT 1 FROM activity WHERE action = ? AND id > ?)", [action, since]) ?? false
        })
        facts.pushes = try db.rows("""
            SELECT certificate_id, service, region, succeeded, reason FROM push_record WHERE account = 'sandbox' AND runner_pid IS NULL
            """).map { row in
            ExerciseFacts.Push(certificate: CertificateID(try row.value(0)), service: try row.value(1), region: (try row.value(2) as String).isEmpty ? nil : try row.value(2),
                               succeeded: try row.value(3), reason: try row.value(4))
        }
        facts.pairStatuses = Set(try db.column(as: String.self, "SELECT DISTINCT status FROM task_pair_tally WHERE count > 0").compactMap(PairStatus.init))
        facts.tasks = try db.one(as: Int.self, "SELECT count(*) FROM task") ?? 0
        // A scheduled task counts once made, even after it is deleted: the activity log keeps its time.
        facts.scheduledTasks = try db.column(as: String.self, "SELECT detail FROM activity WHERE id > ? AND action = 'task.create'", [since])
            .filter(Self.describesScheduledTask).count
        facts.succeededAfterFix = try db.one(as: Bool.self, """
            SELECT EXISTS (SELECT 1 FROM task_pair JOIN activity ON activity.action = 'training.fix' AND activity.subject = 'r' || task_pair.resource_id
                           WHERE activity.id > ? AND task_pair.status IN ('succeeded', 'rolled_back'))
            """, [since]) ?? false
        return facts
    }

    /// A task.create line of a scheduled task: "… N pairs, at 2026-11-22T12:00:00Z".
    static func describesScheduledTask(_ detail: String) -> Bool {
        guard let at = detail.range(of: ", at ", options: .backwards), detail[..<at.lowerBound].contains(" pair") else { return false }
        let time = detail[at.upperBound...]
        return time.count == 20 && time.hasSuffix("Z") && ISO8601DateFormatter().date(from: String(time)) != nil
    }
}
