import CertpushCore
import Foundation
import TerminalKit

/// Deployment Tasks: every task with its status and counts; Space selects
/// several, `x` deletes with confirmation, `c` creates, Enter opens one.
final class TaskListScreen: Screen {
    let session: Session
    private var window = ScrollWindow()
    private(set) var marked: Set<TaskID> = []
    private var cache: (version: Int, tasks: [DeploymentTask])?

    init(session: Session) { self.session = session }

    var title: String { "Deployment Tasks" }
    var bindings: [KeyBinding] {
        ScrollWindow.movementBindings + [
            KeyBinding([.enter], "details"), KeyBinding([.character("c")], "create task"),
            KeyBinding([.character(" ")], "select"), KeyBinding([.character("x")], "delete", dangerous: true),
        ]
    }

    var tasks: [DeploymentTask] {
        if let cache, cache.version == session.version(of: .tasks) { return cache.tasks }
        let tasks = (try? session.context.deployments.tasks()) ?? []
        cache = (session.version(of: .tasks), tasks)
        return tasks
    }

    func handle(_ key: Key) -> KeyResult {
        let all = tasks
        window.setCount(all.count)
        if window.handle(key) { return .handled }
        switch key {
        case .character("c"):
            return .open(TaskWizard(session: session, certificates: []))
        case .character(" "):
            guard !all.isEmpty else { return .handled }
            let id = all[window.selected].id
            if marked.contains(id) { marked.remove(id) } else { marked.insert(id) }
            window.move(by: 1)
        case .character("x"), .delete:
            let ids = marked.isEmpty ? (all.isEmpty ? [] : [all[window.selected].id]) : all.map(\.id).filter(marked.contains)
            guard !ids.isEmpty else { return .handled }
            let names = ids.map(\.description).joined(separator: ", ")
            return .open(ConfirmDialog(
                title: "Delete \(ids.count == 1 ? "task" : "\(ids.count) tasks")?",
                text: "Delete \(names)? Deleted tasks cannot be restored.", confirmTitle: "Delete", theme: session.theme
            ) { [unowned self] in
                do {
                    try self.session.context.deployments.delete(ids)
                    self.marked.subtract(ids)
                    self.session.dataChanged()
                    self.session.say("Deleted \(names).")
                } catch {
                    self.session.complain(error)
                }
                return .close
            })
        case .enter:
            guard !all.isEmpty else { return .handled }
            return .open(TaskDetailsScreen(session: session, taskID: all[window.selected].id))
        default:
            return .ignored
        }
        return .handled
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let all = tasks
        window.setCount(all.count)
        window.height = max(1, rect.height - 1)
        let rows = all[window.visibleRange].map { task in
            [TableCell(marked.contains(task.id) ? "●" : " "), TableCell(task.id.description), TableCell(DisplayText.neutralized(task.name)),
             TableCell(task.status.words, role: TaskText.role(task.status)),
             TableCell(task.certificateIDs.map(\.description).joined(separator: " ")),
             TableCell("\(task.count(.succeeded))/\(task.count(.failed))/\(task.pairs.count)"),
             TableCell(task.scheduledAt.map(ActivityScreen.minute) ?? "now")]
        }
        Table(columns: [Column("", .fixed(1)), Column("ID", .fixed(4)), Column("NAME", .flexible(minimum: 10)), Column("STATUS", .fixed(16)),
                        Column("CERTS", .fixed(6)), Column("OK/F/ALL", .fixed(8)), Column("AT", .fixed(16))])
            .render(rows: rows, cursor: all.isEmpty ? nil : window.selected - window.top, focused: true,
                    theme: session.theme, in: rect, into: &buffer)
        if all.isEmpty {
            buffer.write("No deployment tasks yet. Press c to create one, or d on a certificate.", x: rect.x + 1, y: rect.y + 2,
                         style: session.theme["status.muted"])
        }
    }
}

enum TaskText {
    static func role(_ status: TaskStatus) -> String {
        switch status {
        case .succeeded: "status.ok"
        case .partiallyFailed, .rolledBack: "status.warn"
        case .failed: "status.error"
        case .scheduled, .pending, .running: "status.muted"
        }
    }

    static func role(_ status: PairStatus) -> String {
        switch status {
        case .succeeded: "status.ok"
        case .failed: "status.error"
        case .rolledBack: "status.warn"
        case .pending, .deploying, .rollingBack: "status.muted"
        }
    }
}

/// A task's resources, one tab per service, live while it runs; Roll Back
/// and Retry act on the row in focus, after confirmation.
final class TaskDetailsScreen: Screen {
    let session: Session
    let taskID: TaskID
    private(set) var tab = 0
    private var window = ScrollWindow()

    init(session: Session, taskID: TaskID) {
        self.session = session
        self.taskID = taskID
    }

    var task: DeploymentTask? { try? session.context.deployments.task(taskID) }
    var title: String { "Task \(taskID)" + (task.map { " · \(DisplayText.neutralized($0.name)) · \($0.status.words)" } ?? "") }

    var bindings: [KeyBinding] {
        ScrollWindow.movementBindings + [
            KeyBinding([.left, .right], "service tab", label: "←→"),
            KeyBinding([.character("b")], "roll back resource", dangerous: true),
            KeyBinding([.character("r")], "retry resource"), KeyBinding([.character("R")], "retry all failed"),
            KeyBinding([.escape], "back"),
        ]
    }

    private func services(of task: DeploymentTask) -> [String] {
        var seen: [String] = []
        for pair in task.pairs where !seen.contains(pair.service) { seen.append(pair.service) }
        return seen
    }

    private func rows(of task: DeploymentTask) -> [TaskPair] {
        let services = services(of: task)
        guard !services.isEmpty else { return [] }
        return task.pairs.filter { $0.service == services[min(tab, services.count - 1)] }
    }

    func handle(_ key: Key) -> KeyResult {
        guard let task else { return key == .escape ? .close : .ignored }
        let pairs = rows(of: task)
        window.setCount(pairs.count)
        if window.handle(key) { return .handled }
        switch key {
        case .escape: return .close
        case .left, .right:
            let count = max(1, services(of: task).count)
            tab = (tab + (key == .right ? 1 : count - 1)) % count
            window.home()
        case .character("b"):
            guard !pairs.isEmpty else { return .handled }
            let pair = pairs[window.selected]
            return .open(confirm("Roll back \(pair.resourceID)?", "Put the previous certificate (\(pair.previousCertificateID?.description ?? "none")) back on \(pair.resourceID) \(DisplayText.neutralized(pair.resourceName))?", "Roll Back") {
                let outcomes = try $0.rollBack(self.taskID, resources: [pair.resourceID])
                return (outcomes.map(\.sentence).joined(separator: " "), outcomes.contains { $0.failure != nil })
            })
        case .character("r"):
            guard !pairs.isEmpty else { return .handled }
            let pair = pairs[window.selected]
            return .open(confirm("Retry \(pair.resourceID)?", "Deploy \(pair.certificateID) to \(pair.resourceID) again? A retry consumes quota again.", "Retry") {
                try self.retry($0, resources: [pair.resourceID])
            })
        case .character("R"):
            return .open(confirm("Retry failed resources?", "Deploy to every failed resource of \(taskID) again? A retry consumes quota again.", "Retry") {
                try self.retry($0, resources: nil)
            })
        default: return .ignored
        }
        return .handled
    }

    /// Marks the pairs for retry, then runs them in the background.
    private func retry(_ deployments: DeploymentService, resources: [ResourceID]?) throws -> (String, Bool) {
        let task = try deployments.retry(taskID, resources: resources, runNow: false)
        Self.runInBackground(taskID, session: session)
        return ("\(task.id) is \(task.status.words).", false)
    }

    /// Runs a pending task off the keys; the details redraw as its pairs finish.
    static func runInBackground(_ id: TaskID, session: Session) {
        let deployments = session.context.deployments
        let started = session.context.background.start {
            guard let task = try deployments.run(id) else { return "\(id) is being run elsewhere." }
            return "\(task.id) \(DisplayText.neutralized(task.name)) is \(task.status.words)."
        }
        // Not started now: the task stays queued, and the console drains the queue when the runner is free.
        if !started { session.message = ("Another task is running; \(id) runs when it is done.", false) }
        session.takeBackgroundResults()
    }

    private func confirm(_ title: String, _ text: String, _ button: String,
                         _ action: @escaping (DeploymentService) throws -> (text: String, isError: Bool)) -> ConfirmDialog {
        ConfirmDialog(title: title, text: text, confirmTitle: button, theme: session.theme) { [unowned self] in
            do {
                let outcome = try action(self.session.context.deployments)
                self.session.dataChanged()
                self.session.message = (outcome.text, outcome.isError)
            } catch {
                self.session.complain(error)
            }
            return .close
        }
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        guard let task else {
            buffer.write("This task no longer exists.", x: rect.x + 1, y: rect.y + 1, style: theme["status.muted"])
            return
        }
        let summary = "\(task.status.words) · \(task.count(.succeeded)) succeeded, \(task.count(.failed)) failed, \(task.pairs.count) in all · certificates \(task.certificateIDs.map(\.description).joined(separator: " "))"
            + (task.scheduledAt.map { " · at \(ActivityScreen.minute($0))" } ?? "")
        buffer.write(TextWidth.truncate(summary, to: rect.width - 2), x: rect.x + 1, y: rect.y, style: theme[TaskText.role(task.status)])
        if task.status == .running || task.status == .pending {
            // Progress: a bar with counts (SPEC 7).
            let done = task.pairs.filter { $0.status != .pending && $0.status != .deploying }.count
            let width = 30, filled = task.pairs.isEmpty ? 0 : width * done / task.pairs.count
            let bar = "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "] \(done)/\(task.pairs.count) done"
            buffer.write(bar, x: rect.x + 1, y: rect.y + 1, style: theme["status.ok"])
        }
        let services = services(of: task)
        TabBar.render(services.map { CloudService.named($0)?.label ?? $0 }, selected: min(tab, max(0, services.count - 1)),
                      theme: theme, at: rect.x, y: rect.y + 2, into: &buffer)
        let pairs = rows(of: task)
        let area = Rect(x: rect.x, y: rect.y + 4, width: rect.width, height: rect.height - 4)
        window.height = max(1, area.height - 1)
        window.setCount(pairs.count)
        let cells = pairs[window.visibleRange].map { pair in
            [TableCell("\(pair.resourceID) \(DisplayText.neutralized(pair.resourceName))"), TableCell(pair.region ?? "global"),
             TableCell(pair.certificateID.description), TableCell(pair.status.words, role: TaskText.role(pair.status)),
             TableCell(DisplayText.neutralized(pair.cause))]
        }
        Table(columns: [Column("RESOURCE", .fixed(20)), Column("REGION", .fixed(14)), Column("CERT", .fixed(4)),
                        Column("STATUS", .fixed(11)), Column("CAUSE", .flexible(minimum: 10))])
            .render(rows: cells, cursor: pairs.isEmpty ? nil : window.selected - window.top, focused: true, theme: theme, in: area, into: &buffer)
    }
}
