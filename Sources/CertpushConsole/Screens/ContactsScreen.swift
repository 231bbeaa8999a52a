import CertpushCore
import Foundation
import TerminalKit

/// Contacts (add, edit, delete) and the notification outbox (D15).
final class ContactsScreen: Screen {
    let session: Session
    private var window = ScrollWindow()

    init(session: Session) { self.session = session }

    var title: String { "Contacts" }
    var bindings: [KeyBinding] {
        ScrollWindow.movementBindings + [KeyBinding([.character("a")], "add"), KeyBinding([.character("e"), .enter], "edit", label: "e"),
                                         KeyBinding([.character("x")], "delete", dangerous: true)]
    }

    var contacts: [Contact] { (try? session.context.deployments.contacts()) ?? [] }

    func handle(_ key: Key) -> KeyResult {
        let all = contacts
        window.setCount(all.count)
        if window.handle(key) { return .handled }
        switch key {
        case .character("a"): return .open(ContactDialog(session: session, editing: nil))
        case .character("e"), .enter:
            guard !all.isEmpty else { return .handled }
            return .open(ContactDialog(session: session, editing: all[window.selected]))
        case .character("x"):
            guard !all.isEmpty else { return .handled }
            let contact = all[window.selected]
            return .open(ConfirmDialog(title: "Delete contact?", text: "Delete \(DisplayText.neutralized(contact.name))? Tasks keep the name they were given.",
                                       confirmTitle: "Delete", theme: session.theme) { [unowned self] in
                do {
                    try self.session.context.deployments.deleteContact(named: contact.name)
                    self.session.dataChanged()
                } catch {
                    self.session.complain(error)
                }
                return .close
            })
        default: return .ignored
        }
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let all = contacts
        let top = Rect(x: rect.x, y: rect.y, width: rect.width, height: min(rect.height / 2, all.count + 2))
        window.height = max(1, top.height - 1)
        window.setCount(all.count)
        Table(columns: [Column("NAME", .flexible(minimum: 16)), Column("EMAIL", .flexible(minimum: 16))])
            .render(rows: all[window.visibleRange].map { [TableCell(DisplayText.neutralized($0.name)), TableCell(DisplayText.neutralized($0.email))] },
                    cursor: all.isEmpty ? nil : window.selected - window.top, focused: true, theme: theme, in: top, into: &buffer)
        if all.isEmpty { buffer.write("No contacts. Press a to add one.", x: rect.x + 1, y: rect.y + 1, style: theme["status.muted"]) }
        let outboxY = top.maxY + 1
        buffer.write("Outbox", x: rect.x + 1, y: outboxY, style: theme["table.header"])
        let outbox = (try? session.context.deployments.outbox(limit: max(0, rect.maxY - outboxY - 2))) ?? []
        let cells = outbox.map { [TableCell(ActivityScreen.minute($0.at)), TableCell(DisplayText.neutralized($0.contact)),
                                  TableCell(DisplayText.neutralized($0.message)
                                            + ($0.deliveryFailure.isEmpty ? "" : " (not delivered: \($0.deliveryFailure))"))] }
        Table(columns: [Column("TIME", .fixed(16)), Column("TO", .fixed(14)), Column("MESSAGE", .flexible(minimum: 20))])
            .render(rows: cells, cursor: nil, focused: false, theme: theme,
                    in: Rect(x: rect.x, y: outboxY + 1, width: rect.width, height: rect.maxY - outboxY - 1), into: &buffer)
        if outbox.isEmpty { buffer.write("Nothing sent yet.", x: rect.x + 1, y: outboxY + 2, style: theme["status.muted"]) }
    }
}

/// Add or edit one contact.
final class ContactDialog: Screen {
    let session: Session
    let editing: Contact?
    private var name: TextField
    private var email: TextField
    private var onEmail = false
    private var error: String?

    init(session: Session, editing: Contact?) {
        self.session = session
        self.editing = editing
        name = TextField(editing?.name ?? "")
        email = TextField(editing?.email ?? "")
    }

    var title: String { editing == nil ? "Add Contact" : "Edit Contact" }
    var isDialog: Bool { true }
    var isTyping: Bool { true }
    var bindings: [KeyBinding] {
        [KeyBinding([.tab, .up, .down], "next field", label: "Tab"), KeyBinding([.enter], "save"), KeyBinding([.escape], "cancel")]
    }

    func handle(_ key: Key) -> KeyResult {
        switch key {
        case .escape: return .close
        case .tab, .backTab, .up, .down: onEmail.toggle()
        case .enter:
            do {
                try session.context.deployments.save(Contact(name: name.text, email: email.text), replacing: editing?.name)
                session.dataChanged()
                return .close
            } catch {
                self.error = (error as? CertpushError)?.sentence ?? "\(error)"
            }
        default:
            if onEmail { _ = email.handle(key) } else { _ = name.handle(key) }
        }
        return .handled
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let inner = Frame.dialog(title, width: 60, height: 8, in: area, theme: theme, into: &buffer)
        buffer.write("Name", x: inner.x + 1, y: inner.y + 1, style: theme["dialog"])
        name.render(focused: !onEmail, theme: theme, in: Rect(x: inner.x + 9, y: inner.y + 1, width: inner.width - 10, height: 1), into: &buffer)
        buffer.write("Email", x: inner.x + 1, y: inner.y + 3, style: theme["dialog"])
        email.render(focused: onEmail, theme: theme, in: Rect(x: inner.x + 9, y: inner.y + 3, width: inner.width - 10, height: 1), into: &buffer)
        if let error { buffer.write(TextWidth.truncate(error, to: inner.width - 2), x: inner.x + 1, y: inner.maxY - 1, style: theme["message.error"]) }
    }
}
