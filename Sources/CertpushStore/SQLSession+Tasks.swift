import CertpushCore
import Foundation

/// Deployment tasks, their pairs, contacts and the outbox.
extension SQLSession {
    func contacts() throws -> [Contact] {
        try db.rows("SELECT name, email FROM contact ORDER BY name").map { Contact(name: try $0.value(0), email: try $0.value(1)) }
    }

    func saveContact(_ contact: Contact, replacing oldName: String?) throws {
        if let oldName { try db.execute("DELETE FROM contact WHERE name = ?", [oldName]) }
        try db.execute("INSERT INTO contact (name, email) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET email = excluded.email",
                       [contact.name, contact.email])
    }

    func deleteContact(named name: String) throws {
        try db.execute("DELETE FROM contact WHERE name = ?", [name])
    }

    func task(_ id: TaskID) throws -> DeploymentTask? {
        try fetchTasks(where: "id = ?", [id.rawValue], lock: forUpdate).first
    }

    func steps(ofPair pair: Int64) throws -> [PairStep] {
        try db.rows("SELECT at, status, cause FROM pair_step WHERE pair_id = ? ORDER BY id", [pair]).map { row in
            PairStep(at: Date(timeIntervalSince1970: try row.value("at")),
                     status: PairStatus(rawValue: try row.value("status")) ?? .failed, cause: try row.value("cause"))
        }
    }

    func tasks() throws -> [DeploymentTask] {
        try fetchTasks(where: "TRUE", [])
    }

    func taskSummaries() throws -> [TaskSummary] {
        try summaries(where: "TRUE", [])
    }

    func taskSummary(_ id: TaskID) throws -> TaskSummary? {
        try summaries(where: "id = ?", [id.rawValue]).first
    }

    /// Tasks with counts from the tally, the first three certificates and how many there are.
    private func summaries(where clause: String, _ arguments: SQLArguments) throws -> [TaskSummary] {
        let tasks = try db.rows("SELECT * FROM task WHERE \(clause) ORDER BY id DESC", arguments)
        guard !tasks.isEmpty else { return [] }
        let scope = "task_id IN (SELECT id FROM task WHERE \(clause))"
        var counts: [Int64: [TaskSummary.PairCount]] = [:]
        for row in try db.rows("""
            SELECT task_id, service, status, count FROM task_pair_tally t WHERE \(scope) AND count > 0
            ORDER BY task_id, (SELECT min(first_pair) FROM task_pair_tally o WHERE o.task_id = t.task_id AND o.service = t.service), status
            """, arguments) {
            counts[try row.value(0), default: []].append(TaskSummary.PairCount(service: try row.value(1), status: PairStatus(rawValue: try row.value(2)) ?? .failed, count: try row.value(3)))
        }
        var certificateCounts: [Int64: Int] = [:]
        for row in try db.rows("SELECT task_id, count(*) FROM task_certificate WHERE \(scope) GROUP BY task_id", arguments) {
            certificateCounts[try row.value(0)] = try row.value(1)
        }
        var firstCertificates: [Int64: [CertificateID]] = [:]
        for row in try db.rows("""
            SELECT task_id, certificate_id FROM task_certificate WHERE \(scope) AND position < 3 ORDER BY task_id, position
            """, arguments) {
            firstCertificates[try row.value(0), default: []].append(CertificateID(try row.value(1)))
        }
        return try tasks.map { row in
            let id: Int64 = try row.value("id")
            return TaskSummary(
                id: TaskID(id), name: try row.value("name"), status: TaskStatus(rawValue: try row.value("status")) ?? .failed,
                firstCertificates: firstCertificates[id] ?? [], certificateCount: certificateCounts[id] ?? 0,
                scheduledAt: (try row.value("scheduled_at") as Double?).map(Date.init(timeIntervalSince1970:)),
                createdAt: Date(timeIntervalSince1970: try row.value("created_at")),
                finishedAt: (try row.value("finished_at") as Double?).map(Date.init(timeIntervalSince1970:)), pairCounts: counts[id] ?? [])
        }
    }

    func pairCountsByRegion(_ task: TaskID, service: String) throws -> [(region: String, status: PairStatus, count: Int)] {
        try db.rows("""
            SELECT region, status, count(*) FROM task_pair WHERE task_id = ? AND service = ? GROUP BY region, status ORDER BY min(id)
            """, [task.rawValue, service]).compactMap { row in
            guard let status = PairStatus(rawValue: try row.value(1)) else { return nil }
            return (try row.value(0), status, try row.value(2))
        }
    }

    func pairPage(_ task: TaskID, service: String, _ anchor: PageAnchor<Int64>, limit: Int) throws -> [TaskPair] {
        let (range, descending): (String, Bool), position: Int64?
        switch anchor {
        case .first: (range, descending, position) = ("TRUE", false, nil)
        case .last: (range, descending, position) = ("TRUE", true, nil)
        case .after(let id): (range, descending, position) = ("id > ?", false, id)
        case .from(let id): (range, descending, position) = ("id >= ?", false, id)
        case .before(let id): (range, descending, position) = ("id < ?", true, id)
        }
        var arguments: SQLArguments = [task.rawValue, service]
        if let position { arguments.append(position) }
        let rows = try db.rows("""
            SELECT \(Self.pairColumns) FROM task_pair WHERE task_id = ? AND service = ? AND \(range) ORDER BY id \(descending ? "DESC" : "") LIMIT ?
            """, arguments + [max(0, limit)]).map(Self.pair)
        return descending ? rows.reversed() : rows
    }

    func queuedTasks(at now: Date) throws -> [TaskID] {
        try db.column(as: Int64.self, """
            SELECT id FROM task WHERE status = 'pending' OR (status = 'scheduled' AND scheduled_at <= ?)
            ORDER BY coalesce(scheduled_at, created_at), id
            """, [now.timeIntervalSince1970]).map(TaskID.init)
    }

    func tasksInFlight() throws -> [TaskID] {
        try db.column(as: Int64.self, """
            SELECT id FROM task WHERE status = 'running'
            UNION SELECT task_id FROM task_pair WHERE status IN ('deploying', 'rolling_back')
            ORDER BY 1
            """).map(TaskID.init)
    }

    func tasksNeeding(_ certificate: CertificateID) throws -> [TaskID] {
        try db.column(as: Int64.self, """
            SELECT DISTINCT task_id FROM task_pair
            WHERE (certificate_id = ? AND status IN ('pending', 'deploying'))
               OR (previous_certificate_id = ? AND status IN ('succeeded', 'rolling_back'))
            ORDER BY task_id
            """, [certificate.rawValue, certificate.rawValue]).map(TaskID.init)
    }

    func taskState(_ task: TaskID) throws -> TaskState? {
        try taskState(task, lock: forUpdate)
    }

    func claimTaskState(_ task: TaskID) throws -> TaskState? {
        try taskState(task, lock: locksRows ? " FOR UPDATE SKIP LOCKED" : "")
    }

    private func taskState(_ task: TaskID, lock: String) throws -> TaskState? {
        try db.rows("SELECT status, scheduled_at, runner_pid, runner_host, lease_until FROM task WHERE id = ?" + lock,
                    [task.rawValue]).first.map { row in
            let runner: Int32? = try row.value("runner_pid")
            let until: Double? = try row.value("lease_until")
            // A lease from before hosts were named was taken on the one machine that had the file.
            let host: String = try row.value("runner_host") ?? TaskLease.localHost
            return TaskState(
                status: TaskStatus(rawValue: try row.value("status")) ?? .failed,
                scheduledAt: (try row.value("scheduled_at") as Double?).map(Date.init(timeIntervalSince1970:)),
                // A claim from before leases existed has no time: it holds only while its process lives.
                lease: runner.map { TaskLease(runner: $0, host: host, until: until.map(Date.init(timeIntervalSince1970:)) ?? .distantFuture) })
        }
    }

    func insert(_ task: DeploymentTask) throws -> DeploymentTask {
        let id = TaskID(try db.insert("""
            INSERT INTO task (name, status, scheduled_at, created_at, created_by, finished_at) VALUES (?, ?, ?, ?, ?, ?)
            """, [task.name, task.status.rawValue, task.scheduledAt?.timeIntervalSince1970,
                             task.createdAt.timeIntervalSince1970, task.createdBy, task.finishedAt?.timeIntervalSince1970]))
        _ = try db.insertRows(into: "task_certificate", columns: ["task_id", "position", "certificate_id"],
                              task.certificateIDs.enumerated().map { [id.rawValue, $0.offset, $0.element.rawValue] }, returningIDs: false)
        _ = try db.insertRows(into: "task_contact", columns: ["task_id", "position", "contact"],
                              task.contacts.enumerated().map { [id.rawValue, $0.offset, $0.element] }, returningIDs: false)
        var kept = task
        kept.id = id
        let ids = try db.insertRows(
            into: "task_pair",
            columns: ["task_id", "resource_id", "certificate_id", "service", "region", "resource_name", "status", "cause",
                      "previous_certificate_id", "charged", "account"],
            task.pairs.map { pair in
                [id.rawValue, pair.resourceID.rawValue, pair.certificateID.rawValue, pair.service, Self.column(pair.region), pair.resourceName,
                 pair.status.rawValue, pair.cause, pair.previousCertificateID?.rawValue, pair.charged,
                 pair.account == Account.sandboxName ? nil : pair.account]
            }, returningIDs: true)
        for index in kept.pairs.indices { kept.pairs[index].id = ids[index] }
        return kept
    }

    func setStatus(_ task: TaskID, _ status: TaskStatus, finishedAt: Date?) throws {
        try db.execute("UPDATE task SET status = ?, finished_at = ? WHERE id = ?",
                       [status.rawValue, finishedAt?.timeIntervalSince1970, task.rawValue])
    }

    func setLease(_ task: TaskID, _ lease: TaskLease?) throws {
        try db.execute("UPDATE task SET runner_pid = ?, runner_host = ?, lease_until = ? WHERE id = ?",
                       [lease?.runner, lease?.host, lease?.until.timeIntervalSince1970, task.rawValue])
    }

    func update(_ pair: TaskPair, at: Date) throws {
        try db.execute("""
            INSERT INTO pair_step (pair_id, at, status, cause)
            SELECT id, ?, ?, ? FROM task_pair WHERE id = ? AND (status <> ? OR cause <> ?)
            """, [at.timeIntervalSince1970, pair.status.rawValue, pair.cause, pair.id, pair.status.rawValue, pair.cause])
        try db.execute("""
            UPDATE task_pair SET status = ?, cause = ?, previous_certificate_id = ?, charged = ? WHERE id = ?
            """, [pair.status.rawValue, pair.cause, pair.previousCertificateID?.rawValue, pair.charged, pair.id])
    }

    func deleteTask(_ id: TaskID) throws {
        try db.execute("DELETE FROM task WHERE id = ?", [id.rawValue])
    }

    func append(_ notification: TaskNotification) throws -> Int64 {
        try db.insert("INSERT INTO notification (task_id, contact, at, message) VALUES (?, ?, ?, ?)",
                       [notification.taskID.rawValue, notification.contact, notification.at.timeIntervalSince1970,
                                   notification.message])
    }

    func setDeliveryFailure(_ failure: String, onNotification id: Int64) throws {
        try db.execute("UPDATE notification SET delivery_failure = ? WHERE id = ?", [failure, id])
    }

    func notifications(limit: Int) throws -> [TaskNotification] {
        try db.rows("SELECT * FROM notification ORDER BY id DESC LIMIT ?", [max(0, limit)]).map { row in
            var notification = TaskNotification(taskID: TaskID(try row.value("task_id")), contact: try row.value("contact"),
                                                at: Date(timeIntervalSince1970: try row.value("at")), message: try row.value("message"))
            notification.id = try row.value("id")
            notification.deliveryFailure = try row.value("delivery_failure")
            return notification
        }
    }

    private func fetchTasks(where clause: String, _ arguments: SQLArguments, lock: String = "") throws -> [DeploymentTask] {
        let rows = try db.rows("SELECT * FROM task WHERE \(clause) ORDER BY id DESC" + lock, arguments)
        return try rows.map { row in
            let id: Int64 = try row.value("id")
            let certificates = try db.column(as: Int64.self, "SELECT certificate_id FROM task_certificate WHERE task_id = ? ORDER BY position",
                                                  [id]).map(CertificateID.init)
            let contacts = try db.column(as: String.self, "SELECT contact FROM task_contact WHERE task_id = ? ORDER BY position", [id])
            let pairs = try db.rows("SELECT \(Self.pairColumns) FROM task_pair WHERE task_id = ? ORDER BY id", [id]).map(Self.pair)
            return DeploymentTask(
                id: TaskID(id), name: try row.value("name"), status: TaskStatus(rawValue: try row.value("status")) ?? .failed,
                certificateIDs: certificates, contacts: contacts,
                scheduledAt: (try row.value("scheduled_at") as Double?).map(Date.init(timeIntervalSince1970:)),
                createdAt: Date(timeIntervalSince1970: try row.value("created_at")), createdBy: try row.value("created_by"),
                finishedAt: (try row.value("finished_at") as Double?).map(Date.init(timeIntervalSince1970:)), pairs: pairs)
        }
    }

    /// The columns `pair(_:)` decodes, by position: a task of 100,000 pairs reads back in one pass.
    static let pairColumns = "id, resource_id, certificate_id, service, region, resource_name, status, cause, previous_certificate_id, charged, account"

    private static func pair(_ row: any SQLRow) throws -> TaskPair {
        TaskPair(id: try row.value(0), resourceID: ResourceID(try row.value(1) as Int64), certificateID: CertificateID(try row.value(2) as Int64),
                 service: try row.value(3), region: region(try row.value(4)), resourceName: try row.value(5),
                 status: PairStatus(rawValue: try row.value(6)) ?? .failed, cause: try row.value(7),
                 previousCertificateID: (try row.value(8) as Int64?).map(CertificateID.init), charged: try row.value(9), account: try row.value(10) ?? Account.sandboxName)
    }
}
