import TerminalKit

/// A key and what it does. A screen's commands are its registry: the only
/// way a key reaches the screen, and what its hint bar and `?` are made of,
/// so help cannot disagree with the keys.
struct Command {
    let binding: KeyBinding
    let run: (Key) -> KeyResult

    init(_ keys: [Key], _ description: String, label: String? = nil, hinted: Bool = true, dangerous: Bool = false,
         essential: Bool = false, _ run: @escaping (Key) -> KeyResult) {
        binding = KeyBinding(keys, description, label: label, hinted: hinted, dangerous: dangerous, essential: essential)
        self.run = run
    }

    init(_ keys: [Key], _ description: String, label: String? = nil, hinted: Bool = true, dangerous: Bool = false,
         essential: Bool = false, _ run: @escaping () -> KeyResult) {
        self.init(keys, description, label: label, hinted: hinted, dangerous: dangerous, essential: essential) { _ in run() }
    }

    /// Typing into a field: printable characters and the keys that edit.
    init(typing description: String, _ run: @escaping (Key) -> KeyResult) {
        binding = .typing(description)
        self.run = run
    }

    /// The list movement keys (↑↓ jk, PgUp PgDn, g G Home End), acting on `window`.
    static func movement(_ move: @escaping (Key) -> Void) -> [Command] {
        ScrollWindow.movementBindings.map { binding in
            Command(binding: binding) { key in
                move(key)
                return .handled
            }
        }
    }

    /// While a filter is typed: Enter keeps it, Esc clears it, ↑↓ move the
    /// list under it, and every key a text field takes edits it.
    static func filtering(_ description: String, keep: @escaping () -> Void, clear: @escaping () -> Void,
                          move: @escaping (Key) -> Void, edit: @escaping (Key) -> Void) -> [Command] {
        [Command([.enter], "keep filter") { keep(); return .handled },
         Command([.escape], "clear filter") { clear(); return .handled },
         Command([.up, .down, .pageUp, .pageDown], "move", label: "↑↓", hinted: false) { move($0); return .handled },
         Command(typing: description) { edit($0); return .handled }]
    }

    init(binding: KeyBinding, _ run: @escaping (Key) -> KeyResult) {
        self.binding = binding
        self.run = run
    }
}
