import CertpushCore
import Foundation
import TerminalKit

/// The certpush console: title bar, navigation, the screen stack, a message
/// line and the hint bar. Keys go to the top screen first; what it ignores
/// falls to the keys that work everywhere.
public final class Console: TerminalProgram {
    public static let minimumSize = Size(width: 80, height: 24)
    static let navigationWidth = 20

    enum Section: Int, CaseIterable {
        case certificates, tasks, resources, contacts, activity, exercises
        var title: String {
            switch self {
            case .certificates: "SSL Certificates"
            case .tasks: "Deployment Tasks"
            case .resources: "Cloud Resources"
            case .contacts: "Contacts"
            case .activity: "Activity"
            case .exercises: "Exercises"
            }
        }
    }

    /// The sections in the navigation pane: Exercises only in a training workspace (SPEC 7, 15).
    let sections: [Section]

    let session: Session
    private(set) var section = Section.certificates
    private(set) var stack: [Screen] = []
    private(set) var navigationFocused = false
    /// Where closing a visited screen goes back to: the section and screens it was opened from.
    private var returnPoint: (section: Section, stack: [Screen], visited: Screen)?

    /// The exercises a training workspace showed done when last asked: a
    /// new one is announced with what it taught (E3).
    private var exercisesDone: Set<String>?

    public init(context: ConsoleContext) {
        session = Session(context: context)
        sections = Section.allCases.filter { $0 != .exercises || context.training != nil }
        stack = [root(for: section)]
        runDueTasks()
        // The exercises' first reading waits for the first tick: the first frame waits for nothing it does not draw.
    }

    /// E3: marks an exercise as soon as the workspace shows it done, and says what was learned.
    private func checkExercises() {
        guard session.context.training != nil,
              let facts = try? session.context.certificates.store.read({ try $0.exerciseFacts() }) else { return }
        let statuses = Exercises.status(facts)
        let done = Set(statuses.filter(\.done).map(\.exercise.id))
        defer { exercisesDone = done }
        guard let before = exercisesDone, let new = statuses.first(where: { $0.done && !before.contains($0.exercise.id) }) else { return }
        // What the work itself said comes first; the exercise follows it on the same line.
        if let said = session.message, !said.isError {
            session.message = (said.text + "  ✓ Exercise done: \(new.exercise.title).", false)
        } else if session.message == nil {
            let learned = new.exercise.explain.split(separator: ".").first.map(String.init) ?? ""
            session.message = ("✓ Exercise done: \(new.exercise.title). \(learned).", false)
        }
        session.dataChanged(.exercises)
    }

    /// Takes in what background work finished, then drains the task queue
    /// (D14): pending tasks, scheduled ones whose time has come, and any a
    /// runner that is gone left behind.
    public func tick() {
        ticked = true
        // T3: what another bastion committed is read again, as this console's own changes are.
        if let heard = session.context.changes?.changesHeard, heard != changesSeen {
            changesSeen = heard
            session.dataChanged(.all)
        }
        checkExercises()
        takeBackgroundResults()
        if session.context.background.isBusy {
            // Statuses change in the database as the work goes: redraw what it touches.
            session.dataChanged(.work)
        }
        // One runner of tasks at a time from this console: the queue waits while a task's own run goes on.
        if !session.context.background.running.contains(where: { $0.label == Self.queueLabel || $0.task != nil }) { runDueTasks() }
        refreshRunningLine()
    }

    /// Short ticks while work runs, so its progress shows. The first comes
    /// as soon as the first frame is drawn: what that frame did not wait for
    /// (the certificate index, recovery) starts then.
    /// Half a second while other bastions' changes may arrive, so that one shows within a second (T3).
    public var tickMilliseconds: Int {
        !ticked ? 0 : session.context.background.isBusy ? 150 : session.context.changes != nil ? 500 : 1_000
    }
    private var changesSeen = 0
    private var ticked = false

    static let queueLabel = "task queue"

    private func runDueTasks() {
        let deployments = session.services.deployments, push = session.services.push
        guard (try? deployments.hasWork()) == true || (try? push.hasWork()) == true else { return }
        session.run(Self.queueLabel) {
            try push.recover()
            let ran = try deployments.runDue()
            return ran.isEmpty ? "" : "Ran " + ran.map(\.description).joined(separator: ", ") + "."
        }
        takeBackgroundResults()
    }

    /// What finished in the background, acted on as a key's result would be (K1).
    private func takeBackgroundResults() {
        for result in session.takeBackgroundResults() { _ = apply(result) { true } }
    }

    /// K1: "2 running: t7 deploy 40/200, roll back r5", read between frames, shown while no message is.
    private var runningLine: String?

    private func refreshRunningLine() {
        let running = session.context.background.running
        guard !running.isEmpty else {
            runningLine = nil
            return
        }
        let parts = running.map { work -> String in
            guard let task = work.task, let summary = try? session.context.deployments.summary(task) else { return work.label }
            let finished = summary.count(.succeeded) + summary.count(.failed)
            return "\(work.label) \(finished)/\(summary.pairTotal)"
        }
        runningLine = "\(running.count) running: " + parts.joined(separator: ", ")
    }

    private var theme: Theme { session.theme }
    private var top: Screen { stack[stack.count - 1] }

    /// The keys that work on every page, unless the screen on top takes the
    /// same key or is a dialog or typing (then it has every key).
    private var globalCommands: [Command] {
        if top.isTyping || top.isDialog { return [] }
        var commands = [
            Command([.tab, .backTab], "switch pane", label: "Tab") { [unowned self] in
                self.navigationFocused = true
                return .handled
            },
            Command([.escape], stack.count > 1 ? "back" : "to the sections", hinted: false) { [unowned self] in
                if self.stack.count > 1 { self.closeTop() } else { self.navigationFocused = true }
                return .handled
            },
            Command([.character("?")], "help", essential: true) { [unowned self] in
                self.stack.append(HelpScreen(title: self.top.title, bindings: self.activeBindings, words: self.top.words, theme: self.theme))
                return .handled
            },
        ]
        if stack.count == 1 { commands.append(Command([.character("q")], "quit", essential: true) { [unowned self] in self.quit() }) }
        return commands
    }

    /// While the section list has the focus.
    private var navigationCommands: [Command] {
        let move = { [unowned self] (section: Section) in
            self.select(section)
            return KeyResult.handled
        }
        let index = sections.firstIndex(of: section) ?? 0
        return [
            Command([.up, .character("k")], "previous section", label: "↑/k", hinted: false) { move(self.sections[max(0, index - 1)]) },
            Command([.down, .character("j")], "next section", label: "↓/j", hinted: false) { move(self.sections[min(self.sections.count - 1, index + 1)]) },
            Command([.home, .character("g")], "first section", label: "g", hinted: false) { move(self.sections[0]) },
            Command([.end, .character("G")], "last section", label: "G", hinted: false) { move(self.sections[self.sections.count - 1]) },
            Command([.enter, .right, .tab, .backTab, .escape], "open section", label: "Enter") { [unowned self] in
                self.navigationFocused = false
                return .handled
            },
            Command([.character("?")], "help for this section's page", essential: true) { [unowned self] in
                // What can be done here is the page's keys: help opens on the page.
                self.navigationFocused = false
                self.stack.append(HelpScreen(title: self.top.title, bindings: self.activeBindings, words: self.top.words, theme: self.theme))
                return .handled
            },
            Command([.character("q")], "quit", essential: true) { [unowned self] in self.quit() },
        ]
    }

    /// K2: quitting while work runs says what runs and asks; what is cut off is left for recovery.
    private func quit() -> KeyResult {
        let running = session.context.background.running
        guard !running.isEmpty else { return .quit }
        refreshRunningLine()
        return .open(ConfirmDialog(
            title: "Quit while work runs?",
            text: (runningLine ?? "") + ". What is cut off is left as it is and finished by the next start of certpush or by `certpush tasks run-due`, with nothing deployed twice.",
            confirmTitle: "Quit", cancelTitle: "Keep Working", theme: theme) { .quit })
    }

    static let quitAtOnce = KeyBinding([.control("c")], "quit at once", hinted: false)

    /// How often a frame reached the store while it was drawn: 0, or a screen draws from more than its state.
    public var loadsWhilePainting: Int { session.loadsWhilePainting }

    /// What the hint bar and help show now: the keys that work now, each once.
    public var activeBindings: [KeyBinding] { activeCommands.map(\.binding) + [Self.quitAtOnce] }

    /// The commands a key is looked up in, in order: the top screen's, then the global ones it leaves.
    private var activeCommands: [Command] {
        if navigationFocused { return navigationCommands }
        let own = top.commands
        let global = globalCommands.filter { command in !own.contains { $0.binding.keys.contains(where: command.binding.keys.contains) } }
        return own + global
    }

    // MARK: Keys

    public func handle(_ key: Key, size: Size) -> Bool {
        if key == .control("c") { return false }
        if key == .resize { return true }
        if case .mouse(let x, let y) = key { return click(x: x, y: y, size: size) }
        if size.width < Self.minimumSize.width || size.height < Self.minimumSize.height { return key != .character("q") }
        session.message = nil
        let goOn: Bool
        if navigationFocused {
            guard let command = navigationCommands.first(where: { $0.binding.matches(key) }) else { return true }
            goOn = apply(command.run(key)) { true }
        } else {
            goOn = apply(top.handle(key)) {
                guard let command = globalCommands.first(where: { $0.binding.matches(key) }) else { return true }
                return apply(command.run(key)) { true }
            }
        }
        // Work a key started may be done already (an inline runner in tests, a fast provider).
        takeBackgroundResults()
        refreshRunningLine()
        return goOn
    }

    /// Acts on what a screen made of a key or click; `otherwise` for what it ignored.
    private func apply(_ result: KeyResult, otherwise: () -> Bool) -> Bool {
        switch result {
        case .handled: return true
        case .open(let screen):
            stack.append(screen)
            return true
        case .close:
            closeTop()
            return true
        case .replace(let screen):
            closeTop()
            stack.append(screen)
            return true
        case .closeAll:
            stack.removeLast(stack.count - 1)
            return true
        case .goTo(let newSection, let screen):
            show(screen, in: newSection)
            return true
        case .perform(let effect):
            var next: KeyResult
            do {
                next = try effect.work(session.services)
                session.dataChanged(effect.changes)
            } catch {
                // A refusal changes nothing; work that failed part way may have.
                session.dataChanged(effect.changes)
                if let failed = effect.failed { next = failed(error) } else {
                    session.complain(error)
                    next = .handled
                }
            }
            if case .handled = next, let after = effect.after { next = after }
            checkExercises()
            return apply(next, otherwise: otherwise)
        case .visit(let newSection, let screen):
            // Back to the page under any dialogs, where the user was.
            let page = (stack.lastIndex(where: { !$0.isDialog }) ?? 0) + 1
            let place = (section, Array(stack.prefix(page)))
            show(screen, in: newSection)
            returnPoint = (place.0, place.1, screen)
            return true
        case .quit:
            return false
        case .ignored:
            return otherwise()
        }
    }

    /// Opens a section's page with `screen` on top of its root (Configure Now).
    func show(_ screen: Screen, in newSection: Section) {
        returnPoint = nil
        section = newSection
        stack = [root(for: newSection), screen]
        navigationFocused = false
    }

    private func select(_ newSection: Section) {
        guard newSection != section else { return }
        returnPoint = nil
        section = newSection
        stack = [root(for: newSection)]
    }

    private func closeTop() {
        if let returnPoint, stack.last === returnPoint.visited {
            section = returnPoint.section
            stack = returnPoint.stack
            self.returnPoint = nil
            return
        }
        if stack.count > 1 { stack.removeLast() }
    }

    private func click(x: Int, y: Int, size: Size) -> Bool {
        let body = layout(size).body
        let (navigation, _) = body.splitLeft(Self.navigationWidth)
        if navigation.contains(x: x, y: y) {
            let index = y - navigation.y - 1
            if sections.indices.contains(index) {
                let clicked = sections[index]
                select(clicked)
                navigationFocused = false
            }
            return true
        }
        navigationFocused = false
        return apply(top.click(x: x, y: y)) { true }
    }

    private func root(for section: Section) -> Screen {
        switch section {
        case .certificates: CertificateListScreen(session: session)
        case .activity: ActivityScreen(session: session)
        case .tasks: TaskListScreen(session: session)
        case .resources: ServicesScreen(session: session)
        case .contacts: ContactsScreen(session: session)
        case .exercises: ExercisesScreen(session: session)
        }
    }

    // MARK: Drawing

    /// The message's lines at this width: a sentence wider than the screen
    /// takes up to three lines from the page rather than being cut.
    private func messageLines(_ size: Size) -> [String] {
        guard let message = session.message else { return [] }
        let lines = TextWidth.wrap(message.text, width: size.width - 2)
        guard lines.count > 3 else { return lines }
        return Array(lines.prefix(2)) + [TextWidth.truncate(lines.dropFirst(2).joined(separator: " "), to: size.width - 2)]
    }

    private func layout(_ size: Size) -> (title: Rect, body: Rect, message: Rect, hints: Rect) {
        let (title, rest) = Rect(size: size).splitTop(1)
        let (middle, hints) = rest.splitBottom(1)
        let (body, message) = middle.splitBottom(max(1, messageLines(size).count))
        return (title, body, message, hints)
    }

    public func render(size: Size) -> Buffer {
        var buffer = Buffer(size: size, style: theme["body"])
        guard size.width >= Self.minimumSize.width, size.height >= Self.minimumSize.height else {
            renderTooSmall(size, into: &buffer)
            return buffer
        }
        let areas = layout(size)
        renderTitle(in: areas.title, into: &buffer)
        let (navigation, content) = areas.body.splitLeft(Self.navigationWidth)
        renderNavigation(in: navigation, into: &buffer)

        // The nearest page under any dialogs is drawn first, then the dialogs over it.
        let pageIndex = stack.lastIndex(where: { !$0.isDialog }) ?? 0
        let page = stack[pageIndex]
        let inner = content.inset(by: 1)
        // Each screen in view loads its state, then the frame is drawn from state alone.
        page.load(in: inner)
        for dialog in stack[(pageIndex + 1)...] { dialog.load(in: areas.body) }
        let bindings = activeBindings
        let title = page.title
        session.paint {
            Frame.draw(content, title: title, style: theme[navigationFocused ? "border" : "border.focused"],
                       titleStyle: theme["dialog.title"], into: &buffer)
            page.render(in: inner, into: &buffer)
            for dialog in stack[(pageIndex + 1)...] { dialog.render(in: areas.body, into: &buffer) }
        }

        if let message = session.message {
            for (index, line) in messageLines(size).enumerated() {
                buffer.write(" " + line, x: 0, y: areas.message.y + index, style: theme[message.isError ? "message.error" : "message.info"])
            }
        } else if let runningLine {
            buffer.write(" " + runningLine, x: 0, y: areas.message.y, style: theme["status.warn"])
        }
        HintBar.render(bindings, theme: theme, in: areas.hints, into: &buffer)
        return buffer
    }

    /// W4: the database, then TRAINING or LIVE with its accounts, the live
    /// badge in the theme's warning colour: no one mistakes one for the other.
    private func renderTitle(in rect: Rect, into buffer: inout Buffer) {
        buffer.fill(rect, style: theme["title"])
        buffer.write(" certpush", x: rect.x, y: rect.y, style: theme["title"])
        let context = session.context
        var badge = " \(context.workspace.title) "
        if context.workspace == .live {
            let accounts = context.accountNames.isEmpty ? "no accounts" : context.accountNames.joined(separator: ", ")
            badge = TextWidth.truncate(" LIVE: \(DisplayText.neutralized(accounts)) ", to: rect.width / 2)
        }
        let badgeWidth = TextWidth.of(badge)
        let right = TextWidth.truncate(DisplayText.neutralized(context.databaseLabel), to: max(0, rect.width - 12 - badgeWidth))
        buffer.write(right, x: rect.maxX - TextWidth.of(right) - badgeWidth - 2, y: rect.y, style: theme["title"])
        buffer.write(badge, x: rect.maxX - badgeWidth - 1, y: rect.y,
                     style: theme[context.workspace == .training ? "title.sandbox" : "title.live"])
    }

    private func renderNavigation(in rect: Rect, into buffer: inout Buffer) {
        let inner = Frame.draw(rect, title: "", style: theme[navigationFocused ? "border.focused" : "border"], into: &buffer)
        for (row, current) in sections.enumerated() {
            let y = inner.y + row
            let selected = current == section
            let role = selected ? (navigationFocused ? "nav.focused" : "nav.selected") : "nav"
            buffer.write(TextWidth.fit((selected ? "▸ " : "  ") + current.title, to: inner.width), x: inner.x, y: y, style: theme[role])
        }
    }

    private func renderTooSmall(_ size: Size, into buffer: inout Buffer) {
        let lines = ["Terminal too small: \(size.width)x\(size.height).",
                     "certpush needs at least \(Self.minimumSize.width)x\(Self.minimumSize.height).",
                     "Make the window larger, or press q to quit."]
        for (index, line) in lines.enumerated() {
            let y = size.height / 2 - 1 + index
            let x = max(0, (size.width - TextWidth.of(line)) / 2)
            buffer.write(line, x: x, y: y, style: theme[index == 0 ? "status.warn" : "body"])
        }
    }
}
