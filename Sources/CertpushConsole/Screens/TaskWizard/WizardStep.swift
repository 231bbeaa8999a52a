import CertpushCore
import TerminalKit

/// One step of the create-task wizard: its keys, what it reads before a
/// frame and what it draws, and what Enter does when it is done.
protocol WizardStep: AnyObject {
    var commands: [Command] { get }
    var isTyping: Bool { get }
    /// The step is shown again: its cursor and filter start over.
    func reset()
    func load(in rect: Rect)
    func render(in rect: Rect, into buffer: inout Buffer)
    /// Enter: whether the wizard goes on, or what it does instead.
    func proceed() -> WizardProceed
    /// A list step's kept filter, which Esc clears before it goes back.
    var isFiltered: Bool { get }
    func clearFilter()
}

extension WizardStep {
    var isFiltered: Bool { false }
    func clearFilter() {}
}

enum WizardProceed {
    /// Stay on this step; the draft's warning says why.
    case stay
    case next
    case result(KeyResult)
}

/// A list step's filter, typed after `/` and kept under the list (steps 2 and 3).
struct WizardFilter {
    var text = TextField()
    var isTyping = false

    var isShown: Bool { isTyping || !text.text.isEmpty }

    /// A list's area without the filter line under it, when there is one.
    func list(_ rect: Rect) -> Rect { isShown ? rect.splitBottom(1).0 : rect }

    /// The filter line under a list; the list's area without it.
    func render(in list: Rect, theme: Theme, into buffer: inout Buffer) -> Rect {
        guard isShown else { return list }
        let (rest, line) = list.splitBottom(1)
        buffer.write("Filter: ", x: line.x, y: line.y, style: theme["dialog"])
        text.render(focused: isTyping, theme: theme, in: Rect(x: line.x + 8, y: line.y, width: min(40, line.width - 8), height: 1), into: &buffer)
        return rest
    }
}

/// A step whose list is filtered as you type after `/` (steps 2 and 3).
protocol FilteringStep: WizardStep {
    var filter: WizardFilter { get set }
    /// What the filter matches, for the hint bar: "filter by name or domain".
    var filterWords: String { get }
    func filterChanged(_ filter: WizardFilter)
    func move(_ key: Key)
}

extension FilteringStep {
    var isTyping: Bool { filter.isTyping }
    var isFiltered: Bool { !filter.text.text.isEmpty }
    func clearFilter() { filterChanged(WizardFilter()) }

    /// The keys while the filter is typed: they all go to it, but ↑↓ and Enter and Esc.
    var typingCommands: [Command] {
        Command.filtering(filterWords,
                          keep: { [unowned self] in self.filter.isTyping = false },
                          clear: { [unowned self] in self.filterChanged(WizardFilter()) },
                          move: { [unowned self] in self.move($0) },
                          edit: { [unowned self] key in
                              var edited = self.filter
                              if edited.text.handle(key) { self.filterChanged(edited) }
                          })
    }
}

enum WizardRows {
    static func checkbox(_ on: Bool) -> String { on ? "[x]" : "[ ]" }

    static func row(_ text: String, focused: Bool, y: Int, in rect: Rect, theme: Theme, into buffer: inout Buffer, role: String = "dialog") {
        let style = theme[focused ? "table.cursor" : role]
        buffer.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: style)
        buffer.write(TextWidth.truncate(text, to: rect.width), x: rect.x, y: y, style: style)
    }
}
