import TerminalKit

/// A small menu over the page: items, the cursor, Enter picks.
final class MenuDialog: Screen {
    struct Item {
        var title: String
        var action: () -> KeyResult
    }

    let title: String
    let items: [Item]
    let theme: Theme
    private var window: ScrollWindow
    private var rows: [Int: Int] = [:]

    init(title: String, items: [Item], theme: Theme) {
        self.title = title
        self.items = items
        self.theme = theme
        window = ScrollWindow(count: items.count, height: items.count)
    }

    var isDialog: Bool { true }
    var commands: [Command] {
        Command.movement { [unowned self] key in _ = self.window.handle(key) } + [
            Command([.enter], "choose") { [unowned self] in self.items[self.window.selected].action() },
            Command([.escape], "close") { .close },
            Command(initials, "choose by first letter", label: initials.map(\.label).joined(), hinted: false) { [unowned self] key in
                guard let index = self.items.firstIndex(where: { Key.character(Character($0.title.prefix(1).lowercased())) == key }) else { return .handled }
                return self.items[index].action()
            },
        ]
    }

    /// The first letters only one item starts with, lower case.
    private var initials: [Key] {
        let letters = items.map { Character($0.title.prefix(1).lowercased()) }
        return letters.filter { letter in letters.filter { $0 == letter }.count == 1 && !"jkgG".contains(letter) }.map { .character($0) }
    }

    func click(x: Int, y: Int) -> KeyResult {
        guard let index = rows[y] else { return .close }
        return items[index].action()
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let width = max(24, items.map { TextWidth.of($0.title) }.max()! + 8)
        let inner = Frame.dialog(title, width: width, height: items.count + 2, in: area, theme: theme, into: &buffer)
        rows = [:]
        for (index, item) in items.enumerated() {
            let y = inner.y + index
            rows[y] = index
            let style = theme[index == window.selected ? "table.cursor" : "dialog"]
            buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: style)
            buffer.write(" " + item.title, x: inner.x, y: y, style: style)
        }
    }
}

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
        let lines = ImportDialog.wrap(text, width: 52)
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
