import CertpushCore
import Foundation
import TerminalKit

/// The audit log, newest first: scroll, filter with `/`, Enter shows an entry in full.
final class ActivityScreen: Screen {
    let session: Session
    private var list = FilteredRows<ActivityEntry>()
    private var entries: (version: Int, rows: [ActivityEntry])?
    static let limit = 1_000

    init(session: Session) { self.session = session }

    var title: String { "Activity" }
    var isTyping: Bool { list.isFiltering }

    var commands: [Command] {
        var commands = FilteredRows.commands({ [unowned self] in self.list }, { [unowned self] in self.list = $0 }, filterName: "filter by any text")
        if !list.isFiltering {
            commands.append(Command([.enter], "open entry") { [unowned self] in self.openSelected() })
        }
        return commands
    }

    func willHandleKey() { refresh() }

    private func openSelected() -> KeyResult {
        guard let entry = list.selected else { return .handled }
        return .open(EntryDialog(title: "Activity · \(session.minute(entry.at))", fields: [
            ("Time", session.minute(entry.at) + " (" + ISOTime.string(entry.at) + ")"), ("User", DisplayText.neutralized(entry.user)), ("Action", entry.action),
            ("Subject", DisplayText.neutralized(entry.subject)), ("Detail", DisplayText.neutralized(entry.detail)),
        ], theme: session.theme))
    }

    private func refresh() {
        list.update(rows) { [$0.user, $0.action, $0.subject, $0.detail].joined(separator: " ") }
    }

    private var rows: [ActivityEntry] {
        if let entries, entries.version == session.version(of: .activity) { return entries.rows }
        let rows = session.attempt({ try session.services.certificates.activity(limit: Self.limit) }, default: [])
        entries = (session.version(of: .activity), rows)
        return rows
    }

    func load(in rect: Rect) {
        refresh()
        list.setHeight(max(1, rect.height - (list.isFiltering || !list.filter.text.isEmpty ? 2 : 1)))
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let area = list.renderFilter(in: rect, theme: session.theme, into: &buffer)
        let window = list.window
        let cells = list.shown[window.visibleRange].map { entry in
            [TableCell(session.shortTime(entry.at)),
             TableCell(DisplayText.neutralized(entry.user)), TableCell(entry.action),
             TableCell(DisplayText.neutralized(entry.subject)), TableCell(DisplayText.neutralized(entry.detail))]
        }
        let table = Table(columns: [session.timeColumn("TIME"), Column("USER", .fixed(8), drop: 1), Column("ACTION", .flexible(minimum: 14), preferred: 16),
                                    Column("SUBJECT", .flexible(minimum: 7)), Column("DETAIL", .flexible(minimum: 10), preferred: 24)])
        table.render(rows: cells, cursor: list.shown.isEmpty ? nil : window.selected - window.top, focused: true,
                     theme: session.theme, in: area, into: &buffer)
        if list.shown.isEmpty {
            buffer.write(list.filter.text.isEmpty ? "Nothing has happened yet." : "No entry matches.", x: area.x + 1, y: area.y + 2,
                         style: session.theme["status.muted"])
        }
    }
}
