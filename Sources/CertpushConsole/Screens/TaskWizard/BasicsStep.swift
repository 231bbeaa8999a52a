import CertpushCore
import TerminalKit

/// Step 1: the task's name, its contacts (up to D1's number) and its time.
final class BasicsStep: WizardStep {
    let session: Session
    let draft: TaskDraft
    private var cursor = ScrollWindow()

    init(session: Session, draft: TaskDraft) {
        self.session = session
        self.draft = draft
    }

    private var rows: Int { draft.contacts.count + (draft.customTime ? 3 : 2) }
    private var timeRow: Int { draft.contacts.count + 2 }

    var isTyping: Bool { cursor.selected == 0 || (draft.customTime && cursor.selected == timeRow) }

    func reset() { cursor = ScrollWindow() }

    /// The name and time fields take text; Tab and ↑↓ move between rows; Space toggles.
    var commands: [Command] {
        cursor.setCount(rows)
        cursor.height = rows
        let row = cursor.selected
        var commands = [
            Command([.down, .tab], "next field", label: "↓/Tab") { [unowned self] in
                self.cursor.move(by: 1)
                return .handled
            },
            Command([.up, .backTab], "previous field", label: "↑", hinted: false) { [unowned self] in
                self.cursor.move(by: -1)
                return .handled
            },
        ]
        if row == 0 {
            commands.append(Command(typing: "task name") { [unowned self] key in
                _ = self.draft.name.handle(key)
                return .handled
            })
        } else if draft.customTime && row == timeRow {
            commands.append(Command(typing: "deployment time") { [unowned self] key in
                _ = self.draft.time.handle(key)
                return .handled
            })
        } else {
            commands.append(Command([.character(" ")], row <= draft.contacts.count ? "choose contact" : "now / custom time", label: "Space") { [unowned self] in
                self.toggle(row: row)
                return .handled
            })
        }
        return commands
    }

    private func toggle(row: Int) {
        if row >= 1, row <= draft.contacts.count {
            let contact = draft.contacts[row - 1]
            if let index = draft.chosenContacts.firstIndex(of: contact) {
                draft.chosenContacts.remove(at: index)
            } else if draft.chosenContacts.count >= DeploymentRules.maximumContacts {
                draft.warning = "A task can have at most \(DeploymentRules.maximumContacts) contacts."
            } else {
                draft.chosenContacts.append(contact)
            }
        } else if row == draft.contacts.count + 1 {
            draft.customTime.toggle()
        }
    }

    /// D1 when leaving the step: a name, known contacts, a time that parses and is in the future.
    func proceed() -> WizardProceed {
        let zone = session.context.timeZone
        if draft.customTime {
            do { _ = try ISOTime.parse(draft.time.text, zone: zone) } catch {
                draft.warning = (error as? CertpushError)?.sentence ?? "\(error)"
                return .stay
            }
        }
        do {
            if let problem = try session.services.deployments.basicsProblems(draft.request(zone: zone)).first {
                draft.warning = problem
                return .stay
            }
        } catch {
            session.complain(error)
            return .stay
        }
        return .next
    }

    func load(in rect: Rect) {}

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        buffer.write("Task name", x: rect.x, y: rect.y, style: theme["dialog"])
        draft.name.render(focused: cursor.selected == 0, theme: theme, in: Rect(x: rect.x + 16, y: rect.y, width: min(50, rect.width - 16), height: 1),
                          into: &buffer)
        buffer.write("Contacts \(draft.chosenContacts.count)/\(DeploymentRules.maximumContacts)", x: rect.x, y: rect.y + 2, style: theme["dialog"])
        for (index, contact) in draft.contacts.enumerated() {
            WizardRows.row("\(WizardRows.checkbox(draft.chosenContacts.contains(contact))) \(DisplayText.neutralized(contact))",
                           focused: cursor.selected == index + 1, y: rect.y + 3 + index,
                           in: Rect(x: rect.x + 2, y: 0, width: rect.width - 2, height: 1), theme: theme, into: &buffer)
        }
        if draft.contacts.isEmpty {
            buffer.write("(no contacts yet: add them in Contacts)", x: rect.x + 2, y: rect.y + 3, style: theme["status.muted"])
        }
        let timeY = rect.y + 4 + max(1, draft.contacts.count)
        WizardRows.row("Deployed at: " + (draft.customTime ? "( ) now  (•) custom time" : "(•) now  ( ) custom time"),
                       focused: cursor.selected == draft.contacts.count + 1, y: timeY, in: rect, theme: theme, into: &buffer)
        if draft.customTime {
            buffer.write("Time", x: rect.x + 2, y: timeY + 1, style: theme["dialog"])
            draft.time.render(focused: cursor.selected == timeRow, theme: theme, in: Rect(x: rect.x + 8, y: timeY + 1, width: 26, height: 1),
                              into: &buffer)
            let zone = ISOTime.zoneLabel(session.context.timeZone, at: session.now)
            buffer.write(TextWidth.truncate("YYYY-MM-DD HH:MM in \(zone), or ISO 8601 (2026-12-01T09:30:00Z)", to: rect.width - 2),
                         x: rect.x + 2, y: timeY + 2, style: theme["status.muted"])
        }
    }
}
