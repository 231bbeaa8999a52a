import CertpushCore
import Foundation
import TerminalKit

/// Contacts (add, edit, delete) and the notification outbox (D15). Tab
/// moves between them; the outbox scrolls, filters with `/` and opens a
/// message in full.
final class ContactsScreen: Screen {
    let session: Session
    private var window = ScrollWindow()
    private(set) var outboxFocused = false
    private var outbox = FilteredRows<TaskNotification>()
    private var cache: (version: Int, contacts: [Contact], outbox: [TaskNotification])?
    static let outboxLimit = 1_000

    init(session: Session) { self.session = session }

    var title: String { "Contacts" }
    var isTyping: Bool { outbox.isFiltering }

    var commands: [Command] {
        let tab = Command([.tab, .backTab], outboxFocused ? "to contacts" : "to outbox", label: "Tab") { [unowned self] in
            self.outboxFocused.toggle()
            return .handled
        }
        if outboxFocused {
            var commands = FilteredRows.commands({ [unowned self] in self.outbox }, { [unowned self] in self.outbox = $0 },
                                                 filterName: "filter messages")
            if !outbox.isFiltering {
                commands += [Command([.enter], "open message") { [unowned self] in self.openMessage() }, tab]
            }
            return commands
        }
        return Command.movement { [unowned self] key in _ = self.window.handle(key) } + [
            Command([.character("a")], "add") { [unowned self] in .open(ContactDialog(session: self.session, editing: nil)) },
            Command([.character("e"), .enter], "edit", label: "e") { [unowned self] in
                guard let contact = self.selectedContact else { return .handled }
                return .open(ContactDialog(session: self.session, editing: contact))
            },
            Command([.character("x")], "delete", dangerous: true) { [unowned self] in self.confirmDelete() },
            tab,
        ]
    }

    func willHandleKey() { refresh() }

    var contacts: [Contact] { data.contacts }

    private var data: (contacts: [Contact], outbox: [TaskNotification]) {
        let version = session.version(of: .contacts) &+ session.version(of: .tasks)
        if let cache, cache.version == version { return (cache.contacts, cache.outbox) }
        let contacts = session.attempt({ try session.services.deployments.contacts() }, default: [])
        let messages = session.attempt({ try session.services.deployments.outbox(limit: Self.outboxLimit) }, default: [])
        cache = (version, contacts, messages)
        return (contacts, messages)
    }

    private func refresh() {
        let data = data
        window.setCount(data.contacts.count)
        outbox.update(data.outbox) { [$0.contact, $0.taskID.description, $0.message, $0.deliveryFailure].joined(separator: " ") }
    }

    private var selectedContact: Contact? {
        let all = contacts
        return all.isEmpty ? nil : all[min(window.selected, all.count - 1)]
    }

    private func openMessage() -> KeyResult {
        guard let message = outbox.selected else { return .handled }
        var fields = [("Time", session.minute(message.at) + " (" + ISOTime.string(message.at) + ")"), ("To", DisplayText.neutralized(message.contact)),
                      ("Task", message.taskID.description), ("Message", DisplayText.neutralized(message.message))]
        fields.append(("Delivered", message.deliveryFailure.isEmpty ? "yes: notify_command took it" : "no: \(message.deliveryFailure)"))
        return .open(EntryDialog(title: "Message to \(DisplayText.neutralized(message.contact))", fields: fields, theme: session.theme))
    }

    private func confirmDelete() -> KeyResult {
        guard let contact = selectedContact else { return .handled }
        return .open(ConfirmDialog(title: "Delete contact?", text: "Delete \(DisplayText.neutralized(contact.name))? Tasks keep the name they were given.",
                                   confirmTitle: "Delete", theme: session.theme) { [unowned self] in
            KeyResult.perform(Effect(changes: .contacts) { services in
                try services.deployments.deleteContact(named: contact.name)
                self.session.say("Deleted the contact \(DisplayText.neutralized(contact.name)).")
                return .handled
            }).then(.close)
        })
    }

    /// The contacts as the last `load` read them.
    private var shownContacts: [Contact] = []

    /// The contacts' table and the outbox's, one above the other.
    private func areas(in rect: Rect) -> (contacts: Rect, outboxY: Int, outbox: Rect) {
        let top = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: min(rect.height / 2 - 1, shownContacts.count + 2))
        let outboxY = top.maxY + 1
        var outbox = Rect(x: rect.x, y: outboxY + 1, width: rect.width, height: rect.maxY - outboxY - 1)
        if self.outbox.isFiltering || !self.outbox.filter.text.isEmpty { outbox = outbox.splitBottom(1).0 }
        return (top, outboxY, outbox)
    }

    func load(in rect: Rect) {
        refresh()
        shownContacts = contacts
        let areas = areas(in: rect)
        window.height = max(1, areas.contacts.height - 1)
        outbox.setHeight(max(1, areas.outbox.height - 1))
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let all = shownContacts
        buffer.write("Contacts", x: rect.x + 1, y: rect.y, style: theme[outboxFocused ? "body" : "nav.selected"])
        let top = areas(in: rect).contacts
        Table(columns: [Column("NAME", .flexible(minimum: 16)), Column("EMAIL", .flexible(minimum: 16))])
            .render(rows: all[window.visibleRange].map { [TableCell(DisplayText.neutralized($0.name)), TableCell(DisplayText.neutralized($0.email))] },
                    cursor: all.isEmpty ? nil : window.selected - window.top, focused: !outboxFocused, theme: theme, in: top, into: &buffer)
        if all.isEmpty { buffer.write("No contacts. Press a to add one.", x: rect.x + 1, y: top.y + 1, style: theme["status.muted"]) }
        let outboxY = top.maxY + 1
        buffer.write("Outbox (\(outbox.shown.count))", x: rect.x + 1, y: outboxY, style: theme[outboxFocused ? "nav.selected" : "body"])
        let area = outbox.renderFilter(in: Rect(x: rect.x, y: outboxY + 1, width: rect.width, height: rect.maxY - outboxY - 1),
                                       theme: theme, into: &buffer)
        let messages = outbox.shown[outbox.window.visibleRange]
        let cells = messages.map { [TableCell(session.shortTime($0.at)), TableCell(DisplayText.neutralized($0.contact)),
                                    TableCell(DisplayText.neutralized($0.message)
                                              + ($0.deliveryFailure.isEmpty ? "" : " (not delivered: \($0.deliveryFailure))"))] }
        Table(columns: [session.timeColumn("TIME"), Column("TO", .flexible(minimum: 10)), Column("MESSAGE", .flexible(minimum: 20))])
            .render(rows: cells, cursor: outboxFocused && !messages.isEmpty ? outbox.window.selected - outbox.window.top : nil,
                    focused: outboxFocused, theme: theme, in: area, into: &buffer)
        if outbox.shown.isEmpty {
            buffer.write(outbox.filter.text.isEmpty ? "Nothing sent yet." : "No message matches.", x: rect.x + 1, y: area.y + 1,
                         style: theme["status.muted"])
        }
    }
}
