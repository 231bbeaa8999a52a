import TerminalKit

/// A small menu over the page: items, the cursor, Enter picks.
final class MenuDialog: Screen {
    struct Item {
        var title: String
        /// The letter that picks it, shown beside it; nil: its first letter when no other item shares it.
        var key: Character? = nil
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
            Command(initials.compactMap { $0 }.map(Key.character), "choose by its letter",
                    label: initials.compactMap { $0 }.map(String.init).joined(), hinted: false) { [unowned self] key in
                guard let index = self.initials.firstIndex(where: { $0.map(Key.character) == key }) else { return .handled }
                return self.items[index].action()
            },
        ]
    }

    /// Each item's letter: the one it names, else its first letter when no other item
    /// starts with it; nil when it has none.
    private var initials: [Character?] {
        let letters = items.map { Character($0.title.prefix(1).lowercased()) }
        return items.enumerated().map { index, item in
            if let key = item.key { return key }
            let letter = letters[index]
            return letters.filter { $0 == letter }.count == 1 && !"jkgG".contains(letter) ? letter : nil
        }
    }

    func click(x: Int, y: Int) -> KeyResult {
        guard let index = rows[y] else { return .close }
        return items[index].action()
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let width = max(24, items.map { TextWidth.of($0.title) }.max()! + 12)
        let letters = initials
        let inner = Frame.dialog(title, width: width, height: items.count + 2, in: area, theme: theme, into: &buffer)
        rows = [:]
        for (index, item) in items.enumerated() {
            let y = inner.y + index
            rows[y] = index
            let style = theme[index == window.selected ? "table.cursor" : "dialog"]
            buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: style)
            buffer.write(" " + (letters[index].map { "\($0)  " } ?? "   ") + item.title, x: inner.x, y: y, style: style)
        }
    }
}
