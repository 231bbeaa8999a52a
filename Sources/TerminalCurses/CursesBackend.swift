import CCurses
import TerminalKit

/// The real terminal through ncursesw. It only copies cells that changed
/// since the last frame and turns keys into `Key`s; all drawing happens in
/// `Buffer`s. Every call stays on the thread that made it.
public final class CursesBackend: TerminalBackend {
    private var previous: Buffer?
    private var pairs: [PairKey: Int32] = [:]
    public let colors: Int

    private struct PairKey: Hashable {
        var foreground: Color
        var background: Color
    }

    /// Starts curses; nil when standard input or output is not a terminal.
    public init?() {
        guard cc_start() == 0 else { return nil }
        colors = Int(cc_colors())
    }

    deinit { stop() }

    public func stop() { cc_stop() }

    public var size: Size { Size(width: Int(cc_columns()), height: Int(cc_lines())) }

    public func draw(_ buffer: Buffer) {
        let full = previous?.size != buffer.size
        for y in 0..<buffer.size.height {
            var x = 0
            while x < buffer.size.width {
                let cell = buffer[x, y]
                if cell.isContinuation || (!full && previous?[x, y] == cell) {
                    x += 1
                    continue
                }
                // Gather the run of changed cells with this style into one call.
                var run = cell.text
                var end = x + 1
                while end < buffer.size.width {
                    let next = buffer[end, y]
                    if next.style != cell.style { break }
                    if !full && previous?[end, y] == next && !next.isContinuation { break }
                    run += next.text
                    end += 1
                }
                put(run, x: x, y: y, style: cell.style)
                x = end
            }
        }
        previous = buffer
        cc_refresh()
    }

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        var code: UInt32 = 0
        switch cc_read_key(Int32(timeoutMilliseconds), &code) {
        case Int32(CC_FUNCTION): return functionKey(Int32(code))
        case Int32(CC_CHARACTER): return characterKey(code)
        default: return nil
        }
    }

    private func put(_ text: String, x: Int, y: Int, style: Style) {
        // The bottom-right cell scrolls some terminals: curses refuses it, harmlessly.
        var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        var bits: UInt32 = 0
        if style.bold { bits |= UInt32(CC_BOLD) }
        if style.underline { bits |= UInt32(CC_UNDERLINE) }
        if style.reverse { bits |= UInt32(CC_REVERSE) }
        if style.dim { bits |= UInt32(CC_DIM) }
        cc_put(Int32(y), Int32(x), wide, bits, pair(for: style))
    }

    /// Colour pairs are made once per fg/bg and reused, never one per draw.
    private func pair(for style: Style) -> Int32 {
        guard colors > 0 else { return 0 }
        let key = PairKey(foreground: style.foreground, background: style.background)
        if key.foreground == .terminalDefault && key.background == .terminalDefault { return 0 }
        if let pair = pairs[key] { return pair }
        let pair = Int32(pairs.count + 1)
        _ = cc_define_pair(pair, number(style.foreground), number(style.background))
        pairs[key] = pair
        return pair
    }

    private func number(_ color: Color) -> Int32 {
        switch color {
        case .terminalDefault: return -1
        case .indexed(let index): return Int32(index) < Int32(colors) ? Int32(index) : number(color.basic)
        }
    }

    private func characterKey(_ code: UInt32) -> Key? {
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(code + 96)!))
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .character(Character(scalar))
        }
    }

    private func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_RESIZE:
            previous = nil
            return .resize
        case KEY_MOUSE:
            var x: Int32 = 0, y: Int32 = 0
            return cc_mouse_position(&x, &y) == 0 ? .mouse(x: Int(x), y: Int(y)) : nil
        case KEY_F0...(KEY_F0 + 63): return .function(Int(code - KEY_F0))
        default: return nil
        }
    }
}
