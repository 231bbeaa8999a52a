/// A cursor over `count` rows and the first row shown: what a list needs to
/// draw only its visible window, however many rows there are.
public struct ScrollWindow: Equatable, Sendable {
    public private(set) var count: Int = 0
    public private(set) var selected: Int = 0
    public private(set) var top: Int = 0
    private var storedHeight = 1
    public var height: Int {
        get { storedHeight }
        set {
            storedHeight = max(1, newValue)
            clamp()
        }
    }

    public init(count: Int = 0, height: Int = 1) {
        self.count = count
        self.height = max(1, height)
        clamp()
    }

    public var visibleRange: Range<Int> { top..<min(count, top + height) }

    public mutating func setCount(_ newCount: Int) {
        count = max(0, newCount)
        clamp()
    }

    public mutating func select(_ index: Int) {
        selected = index
        clamp()
    }

    public mutating func move(by delta: Int) { select(selected + delta) }
    public mutating func pageDown() { select(selected + max(1, height - 1)) }
    public mutating func pageUp() { select(selected - max(1, height - 1)) }
    public mutating func home() { select(0) }
    public mutating func end() { select(count - 1) }

    /// Handles the movement keys every list shares; false for any other key.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .up, .character("k"): move(by: -1)
        case .down, .character("j"): move(by: 1)
        case .pageUp: pageUp()
        case .pageDown: pageDown()
        case .home, .character("g"): home()
        case .end, .character("G"): end()
        default: return false
        }
        return true
    }

    public static let movementBindings = [
        KeyBinding([.up, .down, .character("j"), .character("k")], "move", label: "↑↓/jk", hinted: false),
        KeyBinding([.pageUp, .pageDown], "page up and down", hinted: false),
        KeyBinding([.home, .end, .character("g"), .character("G")], "first and last row", label: "g/G", hinted: false),
    ]

    private mutating func clamp() {
        selected = count == 0 ? 0 : min(max(0, selected), count - 1)
        if selected < top { top = selected }
        if selected >= top + height { top = selected - height + 1 }
        top = max(0, min(top, max(0, count - height)))
    }
}
