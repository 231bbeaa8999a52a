/// A key or event as a screen receives it.
public enum Key: Hashable, Sendable {
    case character(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, pageUp, pageDown, home, end
    case control(Character)
    case function(Int)
    case mouse(x: Int, y: Int)
    case resize

    /// A short name for hint bars and help: `Enter`, `Ctrl-C`, `q`.
    public var label: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .control(let c): "Ctrl-\(c.uppercased())"
        case .function(let n): "F\(n)"
        case .mouse: "Click"
        case .resize: "Resize"
        }
    }

    /// Parses a test's key names: "j", "Enter", "Esc", "Tab", "Down", "Ctrl-C", "Space".
    public init?(name: String) {
        let named: [String: Key] = [
            "enter": .enter, "esc": .escape, "escape": .escape, "tab": .tab, "shift-tab": .backTab, "btab": .backTab,
            "backspace": .backspace, "bspace": .backspace, "delete": .delete, "del": .delete,
            "up": .up, "down": .down, "left": .left, "right": .right,
            "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown, "npage": .pageDown, "ppage": .pageUp,
            "home": .home, "end": .end, "space": .character(" "),
        ]
        if let key = named[name.lowercased()] { self = key; return }
        if name.lowercased().hasPrefix("ctrl-"), name.count == 6, let c = name.last {
            self = .control(Character(c.lowercased())); return
        }
        guard name.count == 1, let c = name.first else { return nil }
        self = .character(c)
    }
}

/// One key a screen answers to, described once: the hint bar and the `?`
/// help are both made from these, so they cannot disagree with the screen.
public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    /// What the hint bar shows, e.g. "j/k".
    public var label: String
    public var description: String
    /// Shown in the hint bar (the rest only in help).
    public var hinted: Bool
    /// Deletes or undoes something: marked in help.
    public var dangerous: Bool
    /// Also takes what a text field edits: printable characters, Backspace,
    /// Delete, ← →, Home, End, Ctrl-A, Ctrl-E, Ctrl-U.
    public var takesText: Bool
    /// Kept in the hint bar when it runs out of room (help, quit).
    public var essential: Bool

    public init(_ keys: [Key], _ description: String, label: String? = nil, hinted: Bool = true, dangerous: Bool = false,
                takesText: Bool = false, essential: Bool = false) {
        self.keys = keys
        self.label = label ?? keys.map(\.label).joined(separator: "/")
        self.description = description
        self.hinted = hinted
        self.dangerous = dangerous
        self.takesText = takesText
        self.essential = essential
    }

    /// Typing into a field: every key a `TextField` edits with.
    public static func typing(_ description: String) -> KeyBinding {
        KeyBinding([], description, label: "text", hinted: false, takesText: true)
    }

    public func matches(_ key: Key) -> Bool {
        keys.contains(key) || (takesText && Self.isTextKey(key))
    }

    /// What a `TextField` edits with.
    public static func isTextKey(_ key: Key) -> Bool {
        switch key {
        case .character(let c): !(c.asciiValue.map { $0 < 0x20 } ?? false)
        case .backspace, .delete, .left, .right, .home, .end, .control("a"), .control("e"), .control("u"): true
        default: false
        }
    }
}
