import CertpushCore
import Foundation
import TerminalKit

/// A task's resources, one tab per service, live while it runs; Roll Back
/// and Retry act on the row in focus, after confirmation.
final class TaskDetailsScreen: Screen {
    let session: Session
    let taskID: TaskID
    private(set) var tab = 0
    /// The pairs of the service tab in view, a page at a time.
    private var pairList: PagedList<TaskPair, Int64>!
    private var cache: (version: Int, summary: TaskSummary?)?

    init(session: Session, taskID: TaskID) {
        self.session = session
        self.taskID = taskID
        pairList = PagedList(position: \.id) { [unowned self] anchor, limit in
            guard let service = self.service else { return [] }
            do { return try self.session.services.deployments.pairs(of: taskID, service: service, anchor, limit: limit) } catch {
                self.session.complain(error)
                return []
            }
        }
    }

    /// The task's header and counts, read again when tasks change (each tick while it runs).
    var task: TaskSummary? {
        let version = session.version(of: .tasks)
        if let cache, cache.version == version { return cache.summary }
        let summary = try? session.services.deployments.summary(taskID)
        cache = (version, summary)
        pairList.invalidate()
        return summary
    }

    /// The service of the tab in view.
    private var service: String? {
        guard let services = task?.services, !services.isEmpty else { return nil }
        return services[min(tab, services.count - 1)]
    }
    var title: String { "Task \(taskID)" + (task.map { " · \(DisplayText.neutralized($0.name)) · \($0.statusWords)" } ?? "") }
    var words: [String] { ["pair", "quota", "account", "roll back", "retry", "partially failed"] }

    var commands: [Command] {
        guard task != nil else { return [Command([.escape], "back") { .close }] }
        return Command.movement { [unowned self] key in _ = self.pairList.handle(key) } + [
            Command([.left, .right], "service tab", label: "←→") { [unowned self] key in
                let count = max(1, self.task?.services.count ?? 1)
                self.tab = (self.tab + (key == .right ? 1 : count - 1)) % count
                self.pairList.reset()
                return .handled
            },
            Command([.enter], "open resource", label: "Enter") { [unowned self] in
                guard let pair = self.pairList.selected else { return .handled }
                return .open(PairDetailsDialog(session: self.session, pair: pair))
            },
            Command([.character("b")], "roll back resource", dangerous: true) { [unowned self] in self.rollBack() },
            Command([.character("r")], "retry resource") { [unowned self] in
                guard let pair = self.pairList.selected else { return .handled }
                if let refusal = self.refusal(.retry, pair) { return self.refuse(refusal) }
                return .open(self.confirm("Retry \(pair.resourceID)?",
                                          self.live("Retry", [pair]) + "Deploy \(pair.certificateID) to \(pair.resourceID) \(DisplayText.neutralized(pair.resourceName)) again? " + self.quotaText([pair.resourceID]),
                                          "Retry") {
                    try self.retry($0, resources: [pair.resourceID])
                })
            },
            Command([.character("R")], "retry all failed") { [unowned self] in
                guard let task = self.task else { return .handled }
                if let refusal = AfterTaskAction.retry.refusal(taskStatus: task.status, of: self.taskID) { return self.refuse(refusal) }
                let failed = task.count(.failed)
                guard failed > 0 else { return self.refuse("\(self.taskID) has no failed resources to retry.") }
                let failedPairs = self.session.context.confirmsChanges
                    ? self.session.read({ try $0.task(self.taskID)?.pairs.filter { $0.status == .failed } ?? [] }, default: []) : []
                return .open(self.confirm("Retry failed resources?",
                                          self.live("Retry", failedPairs) + "Deploy to the \(Words.count(failed, "failed resource")) of \(self.taskID) again? " + self.quotaText(nil),
                                          "Retry") {
                    try self.retry($0, resources: nil)
                })
            },
            Command([.escape], "back") { .close },
        ]
    }

    /// W5: in a live workspace, the sentence that names the accounts and counts, before the action's own words.
    private func live(_ verb: String, _ pairs: [TaskPair]) -> String {
        guard session.context.confirmsChanges, !pairs.isEmpty else { return "" }
        return LiveConfirmation.act(verb, on: pairs.map(LiveConfirmation.Target.init), accounts: session.context.accounts) + " "
    }

    /// D12 and D17, asked of the core before anything is confirmed.
    private func refusal(_ action: AfterTaskAction, _ pair: TaskPair) -> String? {
        guard let task else { return nil }
        return action.refusal(taskStatus: task.status, of: taskID) ?? action.refusal(pair: pair)
    }

    private func refuse(_ sentence: String) -> KeyResult {
        session.message = (sentence, true)
        return .handled
    }

    /// What a retry costs (D17): only uploaded certificates that are not shared take quota.
    private func quotaText(_ resources: [ResourceID]?) -> String {
        let units = session.attempt({ try session.services.deployments.retryQuota(taskID, resources: resources) }, default: 0)
        return units == 0 ? "Its certificates take no deployment quota."
            : "It takes \(Words.count(units, "unit")) of deployment quota again, refunded for each that fails."
    }

    private func rollBack() -> KeyResult {
        guard let pair = pairList.selected else { return .handled }
        if let refusal = refusal(.rollBack, pair) { return refuse(refusal) }
        let taskID = taskID
        return .open(ConfirmDialog(title: "Roll back \(pair.resourceID)?",
                                   text: live("Roll back", [pair]) + "Put the previous certificate (\(pair.previousCertificateID?.description ?? "none")) back on \(pair.resourceID) \(DisplayText.neutralized(pair.resourceName))?",
                                   confirmTitle: "Roll Back", theme: session.theme) { [unowned self] in
            // K1: the roll back runs away from the keys; its outcome arrives on the message line.
            let deployments = self.session.services.deployments
            self.session.run("roll back \(pair.resourceID)", {
                try deployments.rollBack(taskID, resources: [pair.resourceID])
            }, then: { [unowned self] result in
                switch result {
                case .success(let outcomes):
                    self.session.message = (outcomes.map(\.sentence).joined(separator: " "), outcomes.contains { $0.failure != nil })
                case .failure(let error): self.session.complain(error)
                }
                return .handled
            })
            return .close
        })
    }

    /// Marks the pairs for retry, then runs them in the background; what
    /// became of each retried resource is said when it is done.
    private func retry(_ deployments: DeploymentService, resources: [ResourceID]?) throws -> (String, Bool) {
        let task = try deployments.retry(taskID, resources: resources, runNow: false)
        let retried = Set(task.pairs.filter { $0.status == .pending }.map(\.resourceID))
        session.say("Retrying \(Words.count(retried.count, "resource")) of \(task.id).")
        Self.runInBackground(taskID, session: session, retried: retried)
        return ("", false)
    }

    /// Runs a pending task off the keys; the details redraw as its pairs finish.
    /// `retried`: the resources a retry put back, whose outcomes the message gives.
    static func runInBackground(_ id: TaskID, session: Session, retried: Set<ResourceID> = []) {
        let deployments = session.services.deployments
        let started = session.run(retried.isEmpty ? "\(id) deploy" : "\(id) retry", task: id) {
            guard let task = try deployments.run(id) else { return "\(id) is being run elsewhere." }
            guard !retried.isEmpty else { return "\(task.id) \(DisplayText.neutralized(task.name)): \(task.status.words)." }
            let outcomes = task.pairs.filter { retried.contains($0.resourceID) }.map { pair in
                "\(pair.resourceID) \(DisplayText.neutralized(pair.resourceName)): \(pair.status.words)"
                    + (pair.cause.isEmpty ? "" : " (\(DisplayText.neutralized(pair.cause)))")
            }
            return "Retried: " + outcomes.prefix(3).joined(separator: "; ") + (outcomes.count > 3 ? "; \(outcomes.count - 3) more" : "")
                + ". \(task.id): \(task.status.words)."
        }
        // Not started now: the task stays queued, and the console's queue runs it.
        if !started { session.message = ("\(id) is queued; it runs when its runner is free.", false) }
    }

    private func confirm(_ title: String, _ text: String, _ button: String,
                         _ action: @escaping (DeploymentService) throws -> (text: String, isError: Bool)) -> ConfirmDialog {
        ConfirmDialog(title: title, text: text, confirmTitle: button, theme: session.theme) { [unowned self] in
            KeyResult.perform(Effect { services in
                let outcome = try action(services.deployments)
                if !outcome.text.isEmpty { self.session.message = (outcome.text, outcome.isError) }
                return .handled
            }).then(.close)
        }
    }

    /// What happened on the resource: the cause of a failure in the provider's
    /// own words, or, on a server, the steps S2 took (a pair succeeds only
    /// when all of them did).
    static func causeCell(_ pair: TaskPair) -> TableCell {
        if pair.cause.isEmpty, CloudService.named(pair.service)?.onServers == true {
            switch pair.status {
            case .succeeded: return TableCell("written ✓ checked ✓ reloaded ✓ proved ✓", role: "status.ok")
            case .rolledBack: return TableCell("previous one written ✓ checked ✓ reloaded ✓ proved ✓", role: "status.warn")
            default: break
            }
        }
        return TableCell(DisplayText.neutralized(pair.cause))
    }

    /// The certificate the resource holds as this pair left it: the previous
    /// one after a roll back, the task's once deployed.
    static func held(after pair: TaskPair) -> String {
        switch pair.status {
        case .rolledBack: pair.previousCertificateID?.description ?? "none"
        default: pair.certificateID.description
        }
    }

    /// The task and the rows in view, as the last `load` read them.
    private var shownTask: TaskSummary?

    /// The header's lines: its counts and certificates, then when it runs or
    /// ended and when it was made, packed whole (" · " between parts) into
    /// as few lines as the width takes, at most three.
    private func header(_ task: TaskSummary, width: Int) -> [String] {
        let back = task.count(.rolledBack) > 0 && task.status != .rolledBack ? "\(task.count(.rolledBack)) rolled back, " : ""
        var parts = ["\(task.count(.succeeded)) succeeded, \(task.count(.failed)) failed, \(back)\(task.pairTotal) in all",
                     "certificates \(task.certificateText)"]
        if task.status == .scheduled, let at = task.scheduledAt { parts.append("runs \(session.minute(at))") }
        if let ended = task.finishedAt { parts.append("ended \(session.minute(ended))") }
        if task.status != .running && task.status != .pending { parts.append("created \(session.minute(task.createdAt))") }
        if let hosts { parts.append("hosts: " + hosts) }
        return TextWidth.pack(parts, width: width, maxLines: 3)
    }

    /// Where the pairs go: below the header, the progress bar while it runs, and the service tabs.
    private func pairArea(in rect: Rect) -> Rect {
        let top = (shownTask.map { header($0, width: rect.width - 2).count } ?? 1) + (isRunning ? 1 : 0) + 2
        return Rect(x: rect.x, y: rect.y + top, width: rect.width, height: rect.height - top)
    }

    private var isRunning: Bool { shownTask.map { $0.status == .running || $0.status == .pending } ?? false }

    /// S11: each host's progress on the server service in view, read again when tasks change or the tab does.
    private var hosts: String?
    private var hostsRead: (version: Int, service: String?)?

    func load(in rect: Rect) {
        shownTask = task
        let version = session.version(of: .tasks)
        if hostsRead.map({ $0.version != version || $0.service != service }) ?? true {
            hosts = service.flatMap { try? session.services.deployments.hostProgress(of: taskID, service: $0) }
            hostsRead = (version, service)
        }
        _ = pairList.visibleRows(height: pairArea(in: rect).height - 1)
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        guard let task = shownTask else {
            buffer.write("This task no longer exists.", x: rect.x + 1, y: rect.y + 1, style: theme["status.muted"])
            return
        }
        let lines = header(task, width: rect.width - 2)
        for (index, line) in lines.enumerated() {
            buffer.write(line, x: rect.x + 1, y: rect.y + index, style: theme[index == 0 ? TaskText.role(task.status) : "status.muted"])
        }
        if isRunning {
            // Progress: a bar with counts (SPEC 7).
            let total = task.pairTotal, done = total - task.count(.pending) - task.count(.deploying)
            let width = 30, filled = total == 0 ? 0 : width * done / total
            let bar = "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "] \(done)/\(total) done"
            buffer.write(bar, x: rect.x + 1, y: rect.y + lines.count, style: theme["status.ok"])
        }
        let services = task.services
        TabBar.render(services.map { CloudService.named($0)?.label ?? $0 }, selected: min(tab, max(0, services.count - 1)),
                      theme: theme, at: rect.x, y: pairArea(in: rect).y - 2, into: &buffer)
        let area = pairArea(in: rect)
        let pairs = pairList.rows
        let cells = pairs.map { pair in
            [TableCell("\(pair.resourceID) \(DisplayText.neutralized(pair.resourceName))"), TableCell(pair.account), TableCell(pair.region ?? "global"),
             TableCell(Self.held(after: pair)), TableCell(pair.status.words, role: TaskText.role(pair.status)),
             Self.causeCell(pair)]
        }
        // REGION stays at any width (two listeners of one name differ by it), as wide as its widest in view
        // (a host's name is short, "ap-southeast-1" is not); the cause gives way, Enter shows it whole.
        let regionWidth = max(6, pairs.map { TextWidth.of($0.region ?? "global") }.max() ?? 0)
        Table(columns: [Column("RESOURCE", .flexible(minimum: 14), preferred: 34), Column("ACCOUNT", .fixed(10), drop: 0),
                        Column("REGION", .fixed(min(regionWidth, 20))),
                        Column("CERT", .flexible(minimum: 4)), Column("STATUS", .flexible(minimum: 11)),
                        Column("CAUSE", .flexible(minimum: 12), preferred: 24)])
            .render(rows: cells, cursor: pairs.isEmpty ? nil : pairList.cursor, focused: true, theme: theme, in: area, into: &buffer)
    }
}
