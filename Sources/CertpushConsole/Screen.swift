import TerminalKit

/// One entry of the screen stack: a page in the content area, or a dialog
/// drawn over the page below it.
protocol Screen: AnyObject {
    var title: String { get }
    /// Every key of this screen with its action (see `Command`).
    var commands: [Command] { get }
    /// While true, printable keys go to the screen, not to `q`, `?` or `/`.
    var isTyping: Bool { get }
    var isDialog: Bool { get }
    /// Reads what the screen shows into its state, before each frame: `area`
    /// is where it will be drawn. `render` then draws from the state alone.
    func load(in area: Rect)
    func render(in rect: Rect, into buffer: inout Buffer)
    /// Before each key offered to this screen: a warning cleared, a count read again.
    func willHandleKey()
    /// A mouse press at screen cell (x, y), where the terminal sends them.
    func click(x: Int, y: Int) -> KeyResult
    /// The words this screen uses that `?` explains (E5): keys of `Glossary`.
    var words: [String] { get }
}

extension Screen {
    var isTyping: Bool { false }
    var isDialog: Bool { false }
    func willHandleKey() {}
    func load(in area: Rect) {}
    func click(x: Int, y: Int) -> KeyResult { .ignored }
    var words: [String] { [] }

    var bindings: [KeyBinding] { commands.map(\.binding) }

    /// A key runs the first command that takes it; keys no command takes are ignored.
    func handle(_ key: Key) -> KeyResult {
        willHandleKey()
        guard let command = commands.first(where: { $0.binding.matches(key) }) else { return .ignored }
        return command.run(key)
    }
}
