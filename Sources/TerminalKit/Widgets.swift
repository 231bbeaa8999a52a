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

    public init(_ title: String, _ width: Width, alignRight: Bool = false) {
        self.title = title
        self.width = width
        self.alignRight = alignRight
    }
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

/// A table that draws a header and the rows it is handed: the visible window only.
public struct Table {
    public var columns: [Column]
    public init(columns: [Column]) { self.columns = columns }

    public func widths(for total: Int) -> [Int] {
        let gaps = max(0, columns.count - 1)
        let fixed = columns.reduce(0) { sum, column in
            if case .fixed(let w) = column.width { return sum + w }
            if case .flexible(let m) = column.width { return sum + m }
            return sum
        }
        let flexibleCount = columns.filter { if case .flexible = $0.width { return true } else { return false } }.count
        let spare = max(0, total - gaps - fixed)
        var handedOut = 0, seen = 0
        return columns.map { column in
            switch column.width {
            case .fixed(let w): return w
            case .flexible(let minimum):
                seen += 1
                let share = seen == flexibleCount ? spare - handedOut : spare / max(1, flexibleCount)
                handedOut += share
                return minimum + share
            }
        }
    }

    /// Draws the header on the first row of `rect` and `rows` below it;
    /// `cursor` is the index within `rows` of the selected one.
    public func render(rows: [[TableCell]], cursor: Int?, focused: Bool, theme: Theme, in rect: Rect, into buffer: inout Buffer) {
        guard rect.height > 0 else { return }
        let widths = widths(for: rect.width)
        var x = rect.x
        for (column, width) in zip(columns, widths) {
            buffer.write(TextWidth.fit(column.title, to: width, alignRight: column.alignRight), x: x, y: rect.y,
                         style: theme["table.header"], clip: rect)
            x += width + 1
        }
        for (index, row) in rows.prefix(rect.height - 1).enumerated() {
            let y = rect.y + 1 + index
            let isCursor = index == cursor
            let rowStyle = isCursor ? theme[focused ? "table.cursor" : "table.cursor.unfocused"] : theme["body"]
            buffer.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: rowStyle)
            x = rect.x
            for (cellIndex, (column, width)) in zip(columns, widths).enumerated() {
                let cell = cellIndex < row.count ? row[cellIndex] : TableCell("")
                let style = isCursor ? rowStyle : cell.role.map { theme[$0] } ?? rowStyle
                buffer.write(TextWidth.fit(cell.text, to: width, alignRight: column.alignRight), x: x, y: y, style: style, clip: rect)
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
