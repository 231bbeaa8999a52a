import Testing
@testable import TerminalKit

@Suite struct BufferTests {
    @Test("wide characters take two cells; the line reads back as written")
    func wideCharacters() {
        var buffer = Buffer(size: Size(width: 12, height: 1))
        let used = buffer.write("测试ab", x: 0, y: 0, style: .plain)
        #expect(used == 6)
        #expect(buffer[1, 0].isContinuation)
        #expect(buffer[4, 0].text == "a")
        #expect(buffer.line(0) == "测试ab")
        #expect(buffer.find("ab")?.x == 4)
    }

    @Test("a wide character that would straddle the edge is not drawn")
    func clipping() {
        var buffer = Buffer(size: Size(width: 5, height: 1))
        buffer.write("ab测试", x: 0, y: 0, style: .plain)
        #expect(buffer.line(0) == "ab测")
        var clipped = Buffer(size: Size(width: 10, height: 1))
        clipped.write("abcdefgh", x: 2, y: 0, style: .plain, clip: Rect(x: 0, y: 0, width: 5, height: 1))
        #expect(clipped.line(0) == "  abc")
    }

    @Test("control characters never reach a cell")
    func controlsDropped() {
        var buffer = Buffer(size: Size(width: 20, height: 1))
        buffer.write("a\u{1B}[31mb\u{07}c\r", x: 0, y: 0, style: .plain)
        #expect(buffer.line(0) == "a[31mbc")
        #expect(!buffer.cells.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 } })
    }

    @Test("text is truncated with an ellipsis and fitted to width")
    func truncation() {
        #expect(TextWidth.truncate("www.example.com", to: 8) == "www.exa…")
        #expect(TextWidth.truncate("short", to: 8) == "short")
        #expect(TextWidth.fit("测试证书", to: 5) == "测试…")
        #expect(TextWidth.of(TextWidth.fit("测试证书", to: 5)) == 5)
        #expect(TextWidth.fit("7 d", to: 6, alignRight: true) == "   7 d")
        #expect(TextWidth.of("e\u{301}") == 1)
    }

    @Test("the scroll window keeps the cursor in view and within the rows")
    func scrollWindow() {
        var window = ScrollWindow(count: 100, height: 10)
        window.move(by: 15)
        #expect(window.selected == 15)
        #expect(window.visibleRange == 6..<16)
        window.end()
        #expect(window.visibleRange == 90..<100)
        window.pageUp()
        #expect(window.selected == 90)
        window.setCount(3)
        #expect(window.selected == 2)
        #expect(window.visibleRange == 0..<3)
        window.setCount(0)
        #expect(window.visibleRange.isEmpty)
        let handledG = window.handle(.character("G")), handledX = window.handle(.character("x"))
        #expect(handledG && !handledX)
    }

    @Test("a text field edits, and a masked one never shows its text")
    func textField() {
        var field = TextField()
        for c in "secrxt" { _ = field.handle(.character(c)) }
        _ = field.handle(.left)
        _ = field.handle(.backspace)
        _ = field.handle(.character("e"))
        #expect(field.text == "secret")
        var masked = TextField("hunter2", masked: true)
        var buffer = Buffer(size: Size(width: 20, height: 1))
        masked.render(focused: false, theme: .standard, in: Rect(x: 0, y: 0, width: 20, height: 1), into: &buffer)
        #expect(!buffer.line(0).contains("hunter2"))
        #expect(buffer.line(0).hasPrefix("•••••••"))
        _ = masked.handle(.control("u"))
        #expect(masked.text.isEmpty)
    }

    @Test("the hint bar shows only hinted bindings, with their labels")
    func hintBar() {
        var buffer = Buffer(size: Size(width: 60, height: 1))
        HintBar.render([KeyBinding([.character("i")], "import"), KeyBinding([.pageUp], "page", hinted: false)],
                       theme: .mono, in: Rect(x: 0, y: 0, width: 60, height: 1), into: &buffer)
        #expect(buffer.line(0) == " i import")
    }
}
