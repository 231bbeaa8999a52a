import TerminalKit

/// One entry in full (an activity line, a message of the outbox): each
/// field on its own lines, wrapped, never cut.
final class EntryDialog: Screen {
    let title: String
    let fields: [(label: String, value: String)]
    let theme: Theme
    private var scroll = ScrollWindow()

    init(title: String, fields: [(label: String, value: String)], theme: Theme) {
        self.title = title
        self.fields = fields
        self.theme = theme
    }

    var isDialog: Bool { true }
    var commands: [Command] {
        [Command([.up, .down, .character("j"), .character("k")], "scroll", label: "↑↓") { [unowned self] key in
            _ = self.scroll.handle(key)
            return .handled
        },
         Command([.escape, .enter], "close", label: "Esc") { .close }]
    }

    private func lines(width: Int) -> [(label: String, text: String)] {
        fields.flatMap { field in
            let wrapped = field.value.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line in
                let parts = TextWidth.wrap(String(line), width: width)
                return parts.isEmpty ? [""] : parts.flatMap { TextWidth.chunks($0, width: width) }
            }
            return wrapped.enumerated().map { (index, line) in (index == 0 ? field.label : "", line) }
        }
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let width = min(area.width - 4, 90)
        let labelWidth = (fields.map { TextWidth.of($0.label) }.max() ?? 0) + 2
        let all = lines(width: width - labelWidth - 4)
        let height = min(area.height - 2, all.count + 4)
        let inner = Frame.dialog(title, width: width, height: height, in: area, theme: theme, into: &buffer)
        scroll.height = inner.height - 2
        scroll.setCount(max(0, all.count - scroll.height + 1))
        for (offset, line) in all.dropFirst(scroll.selected).prefix(inner.height - 2).enumerated() {
            let y = inner.y + 1 + offset
            buffer.write(line.label, x: inner.x + 1, y: y, style: theme["table.header"].with { $0.underline = false })
            buffer.write(line.text, x: inner.x + 1 + labelWidth, y: y, style: theme["dialog"])
        }
    }
}
