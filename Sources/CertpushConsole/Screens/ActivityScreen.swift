import CertpushCore
import Foundation
import TerminalKit

/// The audit log, newest first.
final class ActivityScreen: Screen {
    let session: Session
    private var window = ScrollWindow()
    private var entries: (version: Int, rows: [ActivityEntry])?
    static let limit = 1_000

    init(session: Session) { self.session = session }

    var title: String { "Activity" }
    var bindings: [KeyBinding] { ScrollWindow.movementBindings }

    private var rows: [ActivityEntry] {
        if let entries, entries.version == session.version(of: .activity) { return entries.rows }
        let rows = (try? session.context.certificates.activity(limit: Self.limit)) ?? []
        entries = (session.version(of: .activity), rows)
        return rows
    }

    /// "2026-11-22 12:00", in UTC like the CLI.
    static func minute(_ date: Date) -> String {
        ISOTime.string(date).prefix(16).replacingOccurrences(of: "T", with: " ")
    }

    func handle(_ key: Key) -> KeyResult {
        window.setCount(rows.count)
        return window.handle(key) ? .handled : .ignored
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let all = rows
        window.setCount(all.count)
        window.height = max(1, rect.height - 1)
        let cells = all[window.visibleRange].map { entry in
            [TableCell(Self.minute(entry.at)),
             TableCell(DisplayText.neutralized(entry.user)), TableCell(entry.action),
             TableCell(DisplayText.neutralized(entry.subject)), TableCell(DisplayText.neutralized(entry.detail))]
        }
        let table = Table(columns: [Column("TIME", .fixed(16)), Column("USER", .fixed(10)), Column("ACTION", .fixed(20)),
                                    Column("SUBJECT", .fixed(9)), Column("DETAIL", .flexible(minimum: 10))])
        table.render(rows: cells, cursor: all.isEmpty ? nil : window.selected - window.top, focused: true,
                     theme: session.theme, in: rect, into: &buffer)
    }
}
