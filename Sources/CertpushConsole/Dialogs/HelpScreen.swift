import TerminalKit

/// `?`: every key of the screen below, from the same bindings its hint bar uses.
final class HelpScreen: Screen {
    let title: String
    let shown: [KeyBinding]
    let theme: Theme

    init(title: String, bindings: [KeyBinding], theme: Theme) {
        self.title = "Keys: \(title)"
        self.shown = bindings
        self.theme = theme
    }

    var isDialog: Bool { true }
    var commands: [Command] {
        [Command([.escape, .character("?"), .character("q"), .enter], "close help", label: "Esc") { .close }]
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let inner = Frame.dialog(title, width: 64, height: shown.count + 4, in: area, theme: theme, into: &buffer)
        for (index, binding) in shown.enumerated() where index < inner.height - 1 {
            let keys = binding.keys.map(\.label).joined(separator: " ")
            let y = inner.y + 1 + index
            buffer.write(TextWidth.fit(keys, to: 22), x: inner.x + 1, y: y, style: theme["hint.key"].with { $0.background = .terminalDefault })
            let text = binding.description + (binding.dangerous ? "  (cannot be undone)" : "")
            buffer.write(text, x: inner.x + 24, y: y, style: theme[binding.dangerous ? "status.warn" : "body"])
        }
    }
}
