import TerminalKit

/// "Are you sure?" with the consequence spelled out; the dangerous button is not the default.
final class ConfirmDialog: Screen {
    let title: String
    let text: String
    let confirmTitle: String
    let theme: Theme
    let cancelTitle: String
    let onConfirm: () -> KeyResult
    private var confirmFocused: Bool
    private var buttons: [(Range<Int>, Int, Bool)] = []

    /// `confirmByDefault` only for offers that change nothing dangerous (smart matching).
    init(title: String, text: String, confirmTitle: String, cancelTitle: String = "Cancel", confirmByDefault: Bool = false,
         theme: Theme, onConfirm: @escaping () -> KeyResult) {
        self.title = title
        self.text = text
        self.confirmTitle = confirmTitle
        self.cancelTitle = cancelTitle
        self.confirmFocused = confirmByDefault
        self.theme = theme
        self.onConfirm = onConfirm
    }

    var isDialog: Bool { true }
    var commands: [Command] {
        [Command([.tab, .backTab, .left, .right], "switch button", label: "Tab") { [unowned self] in
            self.confirmFocused.toggle()
            return .handled
        },
         Command([.enter], "press", dangerous: confirmFocused) { [unowned self] in self.confirmFocused ? self.onConfirm() : .close },
         Command([.escape], "cancel") { .close }]
    }

    func click(x: Int, y: Int) -> KeyResult {
        guard let button = buttons.first(where: { $0.1 == y && $0.0.contains(x) }) else { return .handled }
        return button.2 ? onConfirm() : .close
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let lines = TextWidth.wrap(text, width: 52)
        let inner = Frame.dialog(title, width: 58, height: lines.count + 5, in: area, theme: theme, into: &buffer)
        for (index, line) in lines.enumerated() {
            buffer.write(line, x: inner.x + 1, y: inner.y + 1 + index, style: theme["dialog"])
        }
        let y = inner.maxY - 1
        let cancelX = inner.maxX - TextWidth.of(cancelTitle) - 6
        let cancel = Button.render(cancelTitle, focused: !confirmFocused, theme: theme, at: cancelX, y: y, into: &buffer)
        let confirmX = cancelX - TextWidth.of(confirmTitle) - 6
        let confirm = Button.render(confirmTitle, focused: confirmFocused, theme: theme, at: confirmX, y: y, into: &buffer)
        buttons = [(cancel, y, false), (confirm, y, true)]
    }
}
