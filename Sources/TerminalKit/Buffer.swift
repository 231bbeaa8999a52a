/// One cell of the screen: a character and its style. A wide character
/// fills its cell and marks the next one as its continuation.
public struct Cell: Hashable, Sendable {
    public var text: String
    public var style: Style
    public var isContinuation: Bool

    public init(text: String = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.text = text
        self.style = style
        self.isContinuation = isContinuation
    }
}

/// The frame in memory: widgets draw here, tests read it, and the backend
/// copies to the terminal only the cells that changed.
public struct Buffer: Equatable, Sendable {
    public let size: Size
    public private(set) var cells: [Cell]

    public init(size: Size, style: Style = .plain) {
        self.size = size
        cells = Array(repeating: Cell(style: style), count: max(0, size.width * size.height))
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * size.width + x] }
        set { cells[y * size.width + x] = newValue }
    }

    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < size.width && y < size.height }

    /// Writes `text` from (x, y), clipped to `clip` (default: the whole row);
    /// returns the cells used. Control characters never reach a cell.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style, clip: Rect? = nil) -> Int {
        let limit = clip ?? Rect(size: size)
        guard y >= limit.y, y < limit.maxY, contains(x: 0, y: y) else { return 0 }
        var column = x
        for character in text {
            let width = TextWidth.of(character)
            // Zero width: controls, which must never reach the terminal, and lone marks.
            if width == 0 { continue }
            if column + width > min(limit.maxX, size.width) { break }
            if column >= limit.x && column >= 0 {
                self[column, y] = Cell(text: String(character), style: style)
                if width == 2 { self[column + 1, y] = Cell(text: "", style: style, isContinuation: true) }
            }
            column += width
        }
        return column - x
    }

    public mutating func fill(_ rect: Rect, style: Style, character: String = " ") {
        for y in max(0, rect.y)..<min(size.height, rect.maxY) {
            for x in max(0, rect.x)..<min(size.width, rect.maxX) {
                self[x, y] = Cell(text: character, style: style)
            }
        }
    }

    /// Restyles a row span, keeping its text (for a highlighted row).
    public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        for y in max(0, rect.y)..<min(size.height, rect.maxY) {
            for x in max(0, rect.x)..<min(size.width, rect.maxX) { change(&self[x, y].style) }
        }
    }

    /// The text of row `y`, trailing spaces removed.
    public func line(_ y: Int) -> String {
        var text = ""
        for x in 0..<size.width where !self[x, y].isContinuation { text += self[x, y].text }
        while text.last == " " { text.removeLast() }
        return text
    }

    /// Every row as text: what a test reads, like `tmux capture-pane -p`.
    public var text: String { (0..<size.height).map(line).joined(separator: "\n") }

    /// The first (x, y) where `needle` starts, if it is on screen.
    public func find(_ needle: String) -> (x: Int, y: Int)? {
        for y in 0..<size.height {
            var columns: [Int] = [], text = ""
            for x in 0..<size.width where !self[x, y].isContinuation {
                columns.append(x)
                text += self[x, y].text
            }
            if let range = text.range(of: needle) {
                let offset = text.distance(from: text.startIndex, to: range.lowerBound)
                return (columns[offset], y)
            }
        }
        return nil
    }
}
