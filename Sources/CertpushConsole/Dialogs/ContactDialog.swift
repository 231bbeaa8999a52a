import CertpushCore
import Foundation
import TerminalKit

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
    var commands: [Command] {
        [Command([.tab, .backTab, .up, .down], "next field", label: "Tab") { [unowned self] in
            self.onEmail.toggle()
            return .handled
        },
         Command([.enter], "save") { [unowned self] in self.save() },
         Command([.escape], "cancel") { .close },
         Command(typing: onEmail ? "email" : "name") { [unowned self] key in
             if self.onEmail { _ = self.email.handle(key) } else { _ = self.name.handle(key) }
             return .handled
         }]
    }

    /// Saved by the console; a refusal stays in the dialog.
    private func save() -> KeyResult {
        let contact = Contact(name: name.text, email: email.text), replacing = editing?.name
        return .perform(Effect(changes: .contacts, failed: { [unowned self] error in
            self.error = (error as? CertpushError)?.sentence ?? "\(error)"
            return .handled
        }) { services in
            try services.deployments.save(contact, replacing: replacing)
            return .close
        })
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
