/// Box-drawing frames, titled.
public enum Frame {
    /// Draws a border around `rect` with `title` on its top edge; returns the inside.
    @discardableResult
    public static func draw(_ rect: Rect, title: String = "", style: Style, titleStyle: Style? = nil, into buffer: inout Buffer) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let horizontal = String(repeating: "─", count: rect.width - 2)
        buffer.write("┌" + horizontal + "┐", x: rect.x, y: rect.y, style: style)
        for y in rect.y + 1..<rect.maxY - 1 {
            buffer.write("│", x: rect.x, y: y, style: style)
            buffer.write("│", x: rect.maxX - 1, y: y, style: style)
        }
        buffer.write("└" + horizontal + "┘", x: rect.x, y: rect.maxY - 1, style: style)
        if !title.isEmpty {
            buffer.write(" " + TextWidth.truncate(title, to: rect.width - 6) + " ", x: rect.x + 2, y: rect.y,
                         style: titleStyle ?? style)
        }
        return rect.inset(by: 1)
    }
}

extension Frame {
    /// A dialog over the page: a box of this size centred in `area`, cleared,
    /// framed and titled; returns its inside.
    public static func dialog(_ title: String, width: Int, height: Int, in area: Rect, theme: Theme, into buffer: inout Buffer) -> Rect {
        let rect = area.centered(width: width, height: height)
        buffer.fill(rect, style: theme["dialog"])
        return draw(rect, title: title, style: theme["border.focused"], titleStyle: theme["dialog.title"], into: &buffer)
    }
}

/// A table's column: a title and a width, fixed or taking what is left.
public struct Column: Sendable {
    public enum Width: Sendable { case fixed(Int), flexible(minimum: Int) }
    public var title: String
    public var width: Width
    public var alignRight: Bool
    /// When the columns do not all get their preferred width, those with a
    /// drop rank go, lowest rank first (SOURCE before NAME is cut short).
    public var drop: Int?
    /// The width a flexible column needs to be read well; its minimum if nil.
    public var preferred: Int?

    public init(_ title: String, _ width: Width, alignRight: Bool = false, drop: Int? = nil, preferred: Int? = nil) {
        self.title = title
        self.width = width
        self.alignRight = alignRight
        self.drop = drop
        self.preferred = preferred
    }

    var minimum: Int {
        switch width {
        case .fixed(let w), .flexible(minimum: let w): w
        }
    }

    var isFlexible: Bool { if case .flexible = width { true } else { false } }
}

public struct TableCell: Sendable {
    public var text: String
    /// A theme role for this cell (e.g. `status.warn`), or nil for the row's.
    public var role: String?
    public init(_ text: String, role: String? = nil) {
        self.text = text
        self.role = role
    }
}

/// A table that draws a header and the rows it is handed: the visible window
/// only. Columns fit the width they are given: droppable ones go when it is
/// narrow, and flexible ones share what is left by what their text needs, so
/// that nothing is cut while a column stands empty.
public struct Table {
    public var columns: [Column]
    public init(columns: [Column]) { self.columns = columns }

    /// The columns shown in `total` cells, with their widths, for these rows.
    public func layout(for total: Int, rows: [[TableCell]] = []) -> [(index: Int, width: Int)] {
        var shown = Array(columns.indices)
        func needed(_ indices: [Int]) -> Int { indices.reduce(0) { $0 + columns[$1].minimum } + max(0, indices.count - 1) }
        func preferred(_ indices: [Int]) -> Int {
            indices.reduce(0) { $0 + max(columns[$1].minimum, columns[$1].preferred ?? 0) } + max(0, indices.count - 1)
        }
        while preferred(shown) > total,
              let victim = shown.filter({ columns[$0].drop != nil }).min(by: { columns[$0].drop! < columns[$1].drop! }) {
            shown.removeAll { $0 == victim }
        }
        var widths = Dictionary(uniqueKeysWithValues: shown.map { ($0, columns[$0].minimum) })
        let flexible = shown.filter { columns[$0].isFlexible }
        var spare = max(0, total - needed(shown))
        // What each flexible column's text wants, header included.
        let wants = Dictionary(uniqueKeysWithValues: flexible.map { index in
            (index, rows.reduce(TextWidth.of(columns[index].title)) { max($0, index < $1.count ? TextWidth.of($1[index].text) : 0) })
        })
        // First each column up to its preferred width, as far as its text wants, in order; then shares of the rest.
        for index in flexible where spare > 0 {
            let add = min(max(0, min(wants[index]!, columns[index].preferred ?? 0) - widths[index]!), spare)
            widths[index]! += add
            spare -= add
        }
        var needy = flexible.filter { wants[$0]! > widths[$0]! }
        while spare > 0 && !needy.isEmpty {
            let share = max(1, spare / needy.count)
            for index in needy where spare > 0 {
                let add = min(share, wants[index]! - widths[index]!, spare)
                widths[index]! += add
                spare -= add
            }
            needy = needy.filter { wants[$0]! > widths[$0]! }
        }
        // What no text needs goes to the last flexible column, so the table spans its width.
        if spare > 0, let last = flexible.last { widths[last]! += spare }
        return shown.map { ($0, widths[$0]!) }
    }

    public func widths(for total: Int) -> [Int] { layout(for: total).map(\.width) }

    /// Draws the header on the first row of `rect` and `rows` below it;
    /// `cursor` is the index within `rows` of the selected one.
    public func render(rows: [[TableCell]], cursor: Int?, focused: Bool, theme: Theme, in rect: Rect, into buffer: inout Buffer) {
        guard rect.height > 0 else { return }
        let visible = Array(rows.prefix(rect.height - 1))
        let layout = layout(for: rect.width, rows: visible)
        var x = rect.x
        for (index, width) in layout {
            let column = columns[index]
            buffer.write(TextWidth.fit(column.title, to: width, alignRight: column.alignRight), x: x, y: rect.y,
                         style: theme["table.header"], clip: rect)
            x += width + 1
        }
        for (rowIndex, row) in visible.enumerated() {
            let y = rect.y + 1 + rowIndex
            let isCursor = rowIndex == cursor
            let rowStyle = isCursor ? theme[focused ? "table.cursor" : "table.cursor.unfocused"] : theme["body"]
            buffer.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: rowStyle)
            x = rect.x
            for (index, width) in layout {
                let cell = index < row.count ? row[index] : TableCell("")
                let style = isCursor ? rowStyle : cell.role.map { theme[$0] } ?? rowStyle
                buffer.write(TextWidth.fit(cell.text, to: width, alignRight: columns[index].alignRight), x: x, y: y, style: style, clip: rect)
                x += width + 1
            }
        }
    }
}

public enum TabBar {
    /// Draws `[ All ]  Official  Uploaded` on one row; returns each tab's span.
    @discardableResult
    public static func render(_ titles: [String], selected: Int, theme: Theme, at x: Int, y: Int, into buffer: inout Buffer) -> [Range<Int>] {
        var column = x
        var spans: [Range<Int>] = []
        for (index, title) in titles.enumerated() {
            let label = " \(title) "
            let width = buffer.write(label, x: column, y: y, style: theme[index == selected ? "tab.selected" : "tab"])
            spans.append(column..<column + width)
            column += width + 1
        }
        return spans
    }
}

public enum HintBar {
    /// The hinted bindings as `key description` pairs. When they do not all
    /// fit, the last ones that are not essential go first: `? help` and
    /// `q quit` stay.
    public static func render(_ bindings: [KeyBinding], theme: Theme, in rect: Rect, into buffer: inout Buffer) {
        buffer.fill(rect, style: theme["hint"])
        var shown = bindings.filter(\.hinted)
        func width(_ binding: KeyBinding) -> Int { TextWidth.of(binding.label) + 1 + TextWidth.of(binding.description) + 2 }
        while shown.reduce(0, { $0 + width($1) }) - 2 > rect.width - 1,
              let last = shown.lastIndex(where: { !$0.essential }) {
            shown.remove(at: last)
        }
        var x = rect.x + 1
        for binding in shown {
            guard x + width(binding) - 2 <= rect.maxX else { break }
            x += buffer.write(binding.label, x: x, y: rect.y, style: theme["hint.key"])
            x += buffer.write(" " + binding.description + "  ", x: x, y: rect.y, style: theme["hint"])
        }
    }
}

/// A one-line text input with a cursor; masked for passphrases.
public struct TextField: Equatable, Sendable {
    public var text: String
    public var cursor: Int
    public var masked: Bool

    public init(_ text: String = "", masked: Bool = false) {
        self.text = text
        self.cursor = text.count
        self.masked = masked
    }

    /// Edits for printable characters, Backspace, Delete, arrows, Home, End,
    /// Ctrl-U; false for keys it leaves to its screen.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let c) where !(c.asciiValue.map { $0 < 0x20 } ?? false):
            text.insert(c, at: text.index(text.startIndex, offsetBy: cursor))
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return true }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor - 1))
            cursor -= 1
        case .delete:
            guard cursor < text.count else { return true }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor))
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = text.count
        case .control("u"):
            text = ""
            cursor = 0
        default:
            return false
        }
        return true
    }

    public func render(focused: Bool, theme: Theme, in rect: Rect, into buffer: inout Buffer) {
        let style = theme[focused ? "field.focused" : "field"]
        buffer.fill(rect, style: style)
        let shown = masked ? String(repeating: "•", count: text.count) : text
        // Keep the cursor in view: show the tail when the text is longer than the field.
        let prefix = String(shown.prefix(cursor))
        let overflow = max(0, TextWidth.of(prefix) - (rect.width - 1))
        let visible = String(shown.dropFirst(overflow))
        buffer.write(visible, x: rect.x, y: rect.y, style: style, clip: rect)
        if focused {
            let cursorX = rect.x + TextWidth.of(String(prefix.dropFirst(overflow)))
            if cursorX < rect.maxX {
                let under = buffer[cursorX, rect.y]
                buffer[cursorX, rect.y] = Cell(text: under.text.isEmpty ? " " : under.text, style: style.with { $0.reverse.toggle() })
            }
        }
    }
}

public enum Button {
    @discardableResult
    public static func render(_ title: String, focused: Bool, theme: Theme, at x: Int, y: Int, into buffer: inout Buffer) -> Range<Int> {
        let width = buffer.write("[ \(title) ]", x: x, y: y, style: theme[focused ? "button.focused" : "button"])
        return x..<x + width
    }
}
