import CertpushCore
import TerminalKit

/// Step 4: the core's plan of the task (pairs, quota, problems, what will
/// fail when it runs), and Submit. In a live workspace, Submit asks first,
/// naming the accounts and the counts (W5).
final class PreviewStep: WizardStep {
    let session: Session
    let draft: TaskDraft
    private var cursor = ScrollWindow()
    private var plan: (request: TaskRequest, version: Int, result: Result<TaskPlan, Error>, resources: [ResourceID: CloudResource])?

    init(session: Session, draft: TaskDraft) {
        self.session = session
        self.draft = draft
    }

    var isTyping: Bool { false }
    func reset() { cursor = ScrollWindow() }

    var commands: [Command] { Command.movement { [unowned self] key in _ = self.cursor.handle(key) } }

    /// The plan of the request as it stands, made again only when the request or the data changed.
    private var currentPlan: Result<TaskPlan, Error> {
        let request = draft.request(zone: session.context.timeZone), version = session.version(of: .all)
        if let plan, plan.request == request, plan.version == version { return plan.result }
        let result = Result { try session.services.deployments.preview(request) }
        let resources = (try? result.get().resources).map { Dictionary($0.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }) }
        plan = (request, version, result, resources ?? [:])
        return result
    }

    func proceed() -> WizardProceed { .result(confirmSubmit()) }

    /// The console creates the task; it then runs in the background, and its
    /// details open in Deployment Tasks, the section it belongs to now.
    private func confirmSubmit() -> KeyResult {
        guard session.context.confirmsChanges, let plan = try? currentPlan.get(), plan.canSubmit else { return submit() }
        let planned = Set(plan.pairs.map(\.resource))
        let targets = plan.resources.filter { planned.contains($0.id) }.map(LiveConfirmation.Target.init)
        return .open(ConfirmDialog(title: "Deploy to live resources?",
                                   text: LiveConfirmation.deploy(plan.certificates.map(\.id), to: targets, accounts: session.context.accounts),
                                   confirmTitle: "Deploy", theme: session.theme) { [unowned self] in
            self.submit().then(.close)
        })
    }

    private func submit() -> KeyResult {
        let request = draft.request(zone: session.context.timeZone)
        return .perform(Effect { [unowned self] services in
            let task = try services.deployments.create(request, runNow: false)
            if task.status == .pending {
                TaskDetailsScreen.runInBackground(task.id, session: self.session)
            } else {
                self.session.say("\(task.id) \(DisplayText.neutralized(task.name)): \(task.status.words).")
            }
            return .goTo(.tasks, TaskDetailsScreen(session: self.session, taskID: task.id))
        })
    }

    /// The plan is made here, before the frame, never while painting.
    func load(in rect: Rect) { _ = currentPlan }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        guard let made = plan else { return }
        let plan: TaskPlan
        do { plan = try made.result.get() } catch {
            buffer.write((error as? CertpushError)?.sentence ?? "\(error)", x: rect.x, y: rect.y, style: theme["message.error"])
            return
        }
        buffer.write(Words.count(plan.pairs.count, "certificate-resource pair"), x: rect.x, y: rect.y, style: theme["dialog"])
        buffer.write("Deployment quota to consume: \(plan.quota) of \(plan.quotaRemaining) left", x: rect.x, y: rect.y + 1, style: theme["dialog"])
        let when = plan.request.at.map { "Deploys at \(ISOTime.minute($0, zone: session.context.timeZone)) (\(ISOTime.zoneLabel(session.context.timeZone, at: $0)))" }
        buffer.write(when ?? "Deploys now, when submitted", x: rect.x, y: rect.y + 2, style: theme["status.muted"])
        // What blocks the task, then what the core knows will happen when it runs (D7, a repair),
        // each whole (wrapped), in at most `room` lines; the CLI's `tasks preview` lists every one.
        var y = rect.y + 4
        let notes = plan.problems.map { ("✗ ", $0, "message.error") } + plan.warnings.map { ("! ", $0, "status.warn") }
        let room = 7
        var shown = 0
        for (mark, text, role) in notes {
            let lines = TextWidth.wrap(text, width: rect.width - 2)
            let used = y - (rect.y + 4), isLast = shown == notes.count - 1
            // Keep a line for "and N more" unless this note is the last.
            guard used + lines.count + (isLast ? 0 : 1) <= room else { break }
            for (index, line) in lines.enumerated() {
                buffer.write((index == 0 ? mark : "  ") + line, x: rect.x, y: y, style: theme[role])
                y += 1
            }
            shown += 1
        }
        if shown < notes.count {
            buffer.write("  and \(notes.count - shown) more: `certpush tasks preview` lists them all", x: rect.x, y: y, style: theme["status.muted"])
            y += 1
        }
        if plan.problems.isEmpty {
            Button.render("Submit", focused: true, theme: theme, at: rect.maxX - 12, y: rect.y + 2, into: &buffer)
        }
        let table = Rect(x: rect.x, y: y + 1, width: rect.width, height: rect.maxY - y - 1)
        cursor.height = max(1, table.height - 1)
        cursor.setCount(plan.pairs.count)
        let cells = plan.pairs[cursor.visibleRange].map { pair in
            let resource = made.resources[pair.resource]
            return [TableCell(pair.certificate.description), TableCell(pair.resource.description),
                    TableCell((resource?.service ?? "").uppercased() + " " + (resource?.region ?? "global")),
                    TableCell(DisplayText.neutralized(resource?.domain ?? ""))]
        }
        Table(columns: [Column("CERT", .flexible(minimum: 4)), Column("RESOURCE", .flexible(minimum: 8)), Column("SERVICE", .flexible(minimum: 12)),
                        Column("DOMAIN", .flexible(minimum: 10))])
            .render(rows: cells, cursor: nil, focused: false, theme: theme, in: table, into: &buffer)
    }
}
