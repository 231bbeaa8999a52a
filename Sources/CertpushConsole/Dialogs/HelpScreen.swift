import CertpushCore
import TerminalKit

/// `?`: every key of the screen below, from the same bindings its hint bar
/// uses, then what the screen's words mean (E5). Scrolls when it is longer
/// than the terminal.
final class HelpScreen: Screen {
    let title: String
    let shown: [KeyBinding]
    let words: [String]
    let theme: Theme
    private var top = 0
    private var height = 1

    init(title: String, bindings: [KeyBinding], words: [String] = [], theme: Theme) {
        self.title = "Keys: \(title)"
        self.shown = bindings
        self.words = words.filter { Glossary.explain($0) != nil }
        self.theme = theme
    }

    var isDialog: Bool { true }
    var commands: [Command] {
        [Command([.down, .character("j"), .pageDown], "scroll", label: "↑↓") { [unowned self] key in
            self.top = min(max(0, self.lineCount - self.height), self.top + (key == .pageDown ? self.height : 1))
            return .handled
         },
         Command([.up, .character("k"), .pageUp], "scroll up", hinted: false) { [unowned self] key in
             self.top = max(0, self.top - (key == .pageUp ? self.height : 1))
             return .handled
         },
         Command([.escape, .character("?"), .character("q"), .enter], "close help", label: "Esc") { .close }]
    }

    private static let width = 64

    /// Each line: the keys (nil for text), the text, its role.
    private var lines: [(keys: String?, text: String, role: String)] {
        var lines: [(String?, String, String)] = shown.map { binding in
            (binding.keys.map(\.label).joined(separator: " "), binding.description + (binding.dangerous ? "  (cannot be undone)" : ""),
             binding.dangerous ? "status.warn" : "body")
        }
        if !words.isEmpty {
            lines.append((nil, "", "body"))
            lines.append((nil, "Words on this screen", "dialog.title"))
            for word in words {
                for (index, line) in TextWidth.wrap("\(word): \(Glossary.explain(word) ?? "")", width: Self.width - 4).enumerated() {
                    lines.append((nil, (index == 0 ? "" : "  ") + line, "body"))
                }
            }
        }
        return lines
    }

    private var lineCount: Int { lines.count }

    func render(in area: Rect, into buffer: inout Buffer) {
        let all = lines
        let inner = Frame.dialog(title, width: Self.width, height: min(all.count + 4, area.height), in: area, theme: theme, into: &buffer)
        height = max(1, inner.height - 1)
        top = min(top, max(0, all.count - height))
        for (row, line) in all.dropFirst(top).prefix(height).enumerated() {
            let y = inner.y + 1 + row
            if let keys = line.keys {
                buffer.write(TextWidth.fit(keys, to: 22), x: inner.x + 1, y: y, style: theme["hint.key"].with { $0.background = .terminalDefault })
                buffer.write(line.text, x: inner.x + 24, y: y, style: theme[line.role])
            } else {
                buffer.write(line.text, x: inner.x + 1, y: y, style: theme[line.role])
            }
        }
    }
}
