/// A terminal colour: the terminal's own default, or one of 256 indexed
/// colours (0-7 the basic eight, 8-15 their bright forms).
public enum Color: Hashable, Sendable {
    case terminalDefault
    case indexed(UInt8)

    public static let black = Color.indexed(0), red = Color.indexed(1), green = Color.indexed(2)
    public static let yellow = Color.indexed(3), blue = Color.indexed(4), magenta = Color.indexed(5)
    public static let cyan = Color.indexed(6), white = Color.indexed(7)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// `red`, `bright-blue`, `default`, or a number 0-255.
    public init?(name: String) {
        let name = name.lowercased()
        if name == "default" { self = .terminalDefault; return }
        if let index = Self.names.firstIndex(of: name) { self = .indexed(UInt8(index)); return }
        if name.hasPrefix("bright-"), let index = Self.names.firstIndex(of: String(name.dropFirst(7))) {
            self = .indexed(UInt8(index + 8)); return
        }
        if let number = UInt8(name) { self = .indexed(number); return }
        return nil
    }

    /// The nearest of the basic eight, for terminals that have no more.
    public var basic: Color {
        guard case .indexed(let index) = self else { return self }
        switch index {
        case 0..<8: return self
        case 8..<16: return .indexed(index - 8)
        case 232...255: return index < 244 ? .black : .white
        default:
            // The 6x6x6 cube: keep each channel that is at least half on.
            let cube = Int(index) - 16
            let (r, g, b) = (cube / 36, (cube / 6) % 6, cube % 6)
            let bits = (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0)
            return .indexed(UInt8(bits))
        }
    }
}

public struct Style: Hashable, Sendable {
    public var foreground: Color
    public var background: Color
    public var bold: Bool
    public var underline: Bool
    public var reverse: Bool
    public var dim: Bool

    public init(foreground: Color = .terminalDefault, background: Color = .terminalDefault,
                bold: Bool = false, underline: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.underline = underline
        self.reverse = reverse
        self.dim = dim
    }

    public static let plain = Style()

    /// `"white on blue bold"`: a foreground, optionally `on` a background, then attributes.
    public init?(spec: String) {
        self.init()
        var words = spec.lowercased().split(separator: " ").map(String.init)[...]
        if let first = words.first, let color = Color(name: first) {
            foreground = color
            words = words.dropFirst()
        }
        if words.first == "on" {
            guard words.count >= 2, let color = Color(name: words[words.startIndex + 1]) else { return nil }
            background = color
            words = words.dropFirst(2)
        }
        for word in words {
            switch word {
            case "bold": bold = true
            case "underline": underline = true
            case "reverse": reverse = true
            case "dim": dim = true
            default: return nil
            }
        }
    }

    public func with(_ change: (inout Style) -> Void) -> Style {
        var copy = self
        change(&copy)
        return copy
    }
}
