import CertpushCore
import Foundation
import TerminalKit

/// Deployment Tasks: every task with its status and counts; Space selects
/// several, `x` deletes with confirmation, `c` creates, Enter opens one.
final class TaskListScreen: Screen {
    let session: Session
    private var window = ScrollWindow()
    private(set) var marked: Set<TaskID> = []
    private var cache: (version: Int, tasks: [TaskSummary])?

    init(session: Session) { self.session = session }

    var title: String { "Deployment Tasks" }
    var words: [String] { ["pair", "quota", "scheduled", "partially failed", "roll back", "retry"] }
    var commands: [Command] {
        Command.movement { [unowned self] key in _ = self.window.handle(key) } + [
            Command([.enter], "details") { [unowned self] in
                guard let task = self.selectedTask else { return .handled }
                return .open(TaskDetailsScreen(session: self.session, taskID: task.id))
            },
            Command([.character("c")], "create task") { [unowned self] in .open(TaskWizard(session: self.session, certificates: [])) },
            Command([.character(" ")], "select", label: "Space") { [unowned self] in
                guard let id = self.selectedTask?.id else { return .handled }
                if self.marked.contains(id) { self.marked.remove(id) } else { self.marked.insert(id) }
                return .handled
            },
            Command([.character("x"), .delete], "delete", label: "x", dangerous: true) { [unowned self] in self.confirmDelete() },
        ]
    }

    func willHandleKey() { window.setCount(tasks.count) }

    private var selectedTask: TaskSummary? {
        let all = tasks
        return all.isEmpty ? nil : all[window.selected]
    }

    var tasks: [TaskSummary] {
        if let cache, cache.version == session.version(of: .tasks) { return cache.tasks }
        let tasks = session.attempt({ try session.services.deployments.summaries() }, default: [])
        cache = (session.version(of: .tasks), tasks)
        return tasks
    }

    private func confirmDelete() -> KeyResult {
        let all = tasks
        let ids = marked.isEmpty ? (all.isEmpty ? [] : [all[window.selected].id]) : all.map(\.id).filter(marked.contains)
        guard !ids.isEmpty else { return .handled }
        let names = ids.map(\.description).joined(separator: ", ")
        return .open(ConfirmDialog(
            title: "Delete \(ids.count == 1 ? "task" : "\(ids.count) tasks")?",
            text: "Delete \(names)? Deleted tasks cannot be restored.", confirmTitle: "Delete", theme: session.theme
        ) { [unowned self] in
            KeyResult.perform(Effect(changes: [.tasks, .activity, .certificates]) { services in
                try services.deployments.delete(ids)
                self.marked.subtract(ids)
                self.session.say("Deleted \(names).")
                return .handled
            }).then(.close)
        })
    }

    /// The tasks as the last `load` read them.
    private var shown: [TaskSummary] = []

    func load(in rect: Rect) {
        shown = tasks
        window.setCount(shown.count)
        window.height = max(1, rect.height - 1)
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let all = shown
        let rows = all[window.visibleRange].map { task in
            [TableCell(marked.contains(task.id) ? "●" : " "), TableCell(task.id.description), TableCell(DisplayText.neutralized(task.name)),
             TableCell(task.status.words, role: TaskText.role(task.status)),
             TableCell(task.certificateText),
             TableCell("\(task.count(.succeeded))/\(task.count(.failed))/\(task.count(.rolledBack))/\(task.pairTotal)"),
             TableCell(when(task))]
        }
        // The counts say what the status cannot at 80 columns: a succeeded task with resources rolled back (OK/F/RB/ALL).
        Table(columns: [Column("", .fixed(1)), Column("ID", .flexible(minimum: 3)), Column("NAME", .flexible(minimum: 8), preferred: 16),
                        Column("STATUS", .fixed(16)), Column("CERTS", .flexible(minimum: 6), drop: 1, preferred: 10), Column("OK/F/RB/ALL", .fixed(11)),
                        session.timeColumn("WHEN")])
            .render(rows: rows, cursor: all.isEmpty ? nil : window.selected - window.top, focused: true,
                    theme: session.theme, in: rect, into: &buffer)
        if all.isEmpty {
            buffer.write("No deployment tasks yet. Press c to create one, or d on a certificate.", x: rect.x + 1, y: rect.y + 2,
                         style: session.theme["status.muted"])
        }
    }
}

extension TaskListScreen {
    /// A time, never "now": when a scheduled task will run, when a finished one
    /// ended, when a pending or running one was created.
    func when(_ task: TaskSummary) -> String {
        switch task.status {
        case .scheduled: task.scheduledAt.map(session.shortTime) ?? "-"
        case .pending, .running: session.shortTime(task.createdAt)
        default: session.shortTime(task.finishedAt ?? task.scheduledAt ?? task.createdAt)
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
        case .pending, .deploying, .rollingBack, .skipped: "status.muted"
        }
    }
}
