import CertpushCore
import Foundation
import TerminalKit

/// What the console needs from the outside world, handed in by the executable
/// (and by tests).
public struct ConsoleContext {
    public var certificates: CertificateService
    public var push: PushService
    public var deployments: DeploymentService
    /// Shown in the title bar: the database path.
    public var databaseLabel: String
    /// TRAINING or LIVE in the title bar (W4), and what the console offers.
    public var workspace: WorkspaceKind
    /// A live workspace's accounts: named in the title bar (W4) and in every confirmation of a change (W5).
    public var accounts: [Account] = []
    public var accountNames: [String] { accounts.map(\.name) }
    /// W5: a live workspace confirms every change that reaches a provider, naming accounts and counts.
    public var confirmsChanges: Bool { workspace == .live }
    /// W6 and SPEC 15: a training workspace's reset and fix; nil in a live one.
    public var training: TrainingService?
    /// One line the console opens with: accounts a training workspace does not use (W1), a split to make (W7).
    public var notice: String?
    public var theme: Theme
    public var expiry: ExpiryPolicy
    /// Reads a file the user named in a dialog.
    public var readFile: (String) throws -> InputFile
    /// Where long work (running a task) goes: a thread in the product, inline in tests.
    public var background: BackgroundRunner
    /// S5 for one server resource: what it serves now beside what certpush
    /// recorded, in a sentence, and whether that is drift. Nil where servers are not reachable.
    public var verify: (@Sendable (ResourceID) throws -> (sentence: String, drift: Bool))?
    /// D16 for every account (the sandbox, servers, clouds), with its sentence;
    /// nil for the sandbox alone through `deployments`.
    public var synchronize: (@Sendable () throws -> String)?
    /// The zone a time typed as `YYYY-MM-DD HH:MM` is read in, and times are shown in.
    public var timeZone: TimeZone = .current

    public init(certificates: CertificateService, push: PushService, deployments: DeploymentService, databaseLabel: String,
                workspace: WorkspaceKind, theme: Theme, expiry: ExpiryPolicy = ExpiryPolicy(), readFile: @escaping (String) throws -> InputFile,
                background: BackgroundRunner = InlineRunner()) {
        self.certificates = certificates
        self.push = push
        self.deployments = deployments
        self.databaseLabel = databaseLabel
        self.workspace = workspace
        self.theme = theme
        self.expiry = expiry
        self.readFile = readFile
        self.background = background
    }
}

/// What changed, so that a screen re-reads only what it shows: a task running
/// in the background moves tasks and resources, never the certificate list.
struct DataKinds: OptionSet {
    let rawValue: Int
    static let certificates = DataKinds(rawValue: 1 << 0)
    static let resources = DataKinds(rawValue: 1 << 1)
    static let tasks = DataKinds(rawValue: 1 << 2)
    static let pushes = DataKinds(rawValue: 1 << 3)
    static let contacts = DataKinds(rawValue: 1 << 4)
    static let activity = DataKinds(rawValue: 1 << 5)
    static let exercises = DataKinds(rawValue: 1 << 6)
    static let all: DataKinds = [.certificates, .resources, .tasks, .pushes, .contacts, .activity, .exercises]
    /// What a running deployment or push changes as it goes.
    static let work: DataKinds = [.resources, .tasks, .pushes, .activity]
}

/// The core's services, as screens reach them.
struct Services {
    let certificates: CertificateService
    let push: PushService
    let deployments: DeploymentService
    let training: TrainingService?
}

/// State every screen shares: the context, the one-line message, and
/// counters that move whenever data changes so lists know to re-read.
final class Session {
    let context: ConsoleContext
    var theme: Theme { context.theme }
    private var versions = [Int](repeating: 0, count: 7)
    var message: (text: String, isError: Bool)?
    /// True while a frame is drawn: screens draw from their state then, and
    /// any use of the store is counted as a fault (`loadsWhilePainting`).
    private(set) var painting = false
    private(set) var loadsWhilePainting = 0

    init(context: ConsoleContext) {
        self.context = context
        if let notice = context.notice { message = (DisplayText.neutralized(notice), false) }
    }

    /// The core's services: for loading a screen's state and for effects, never while painting.
    var services: Services {
        if painting { loadsWhilePainting += 1 }
        return Services(certificates: context.certificates, push: context.push, deployments: context.deployments, training: context.training)
    }

    /// Draws a frame: nothing in `body` may reach the store.
    func paint<T>(_ body: () -> T) -> T {
        painting = true
        defer { painting = false }
        return body()
    }

    var now: Date { context.certificates.time.now() }

    /// Moves whenever data of these kinds changes.
    func version(of kinds: DataKinds) -> Int {
        versions.indices.reduce(0) { sum, bit in kinds.contains(DataKinds(rawValue: 1 << bit)) ? sum + versions[bit] : sum }
    }

    func dataChanged(_ kinds: DataKinds = .all) {
        for bit in versions.indices where kinds.contains(DataKinds(rawValue: 1 << bit)) { versions[bit] += 1 }
    }

    /// Reads the store (regions, resources, service stores); a failure becomes the message.
    func read<T>(_ body: (any StoreReader) throws -> T, default fallback: T) -> T {
        if painting { loadsWhilePainting += 1 }
        do { return try context.certificates.store.read(body) } catch {
            complain(error)
            return fallback
        }
    }

    func say(_ text: String) { message = (text, false) }

    /// "11-22 13:00", in the console's zone: a time in a table.
    func shortTime(_ date: Date) -> String { Self.format(date, "MM-dd HH:mm", zone: context.timeZone) }

    /// "2026-11-22 13:00", in the console's zone.
    func minute(_ date: Date) -> String { Self.format(date, "yyyy-MM-dd HH:mm", zone: context.timeZone) }

    private static func format(_ date: Date, _ pattern: String, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    private var nextWork = 0
    /// What each running piece of work does with its result, on this thread, when it is taken in.
    private var continuations: [Int: (Result<any Sendable, Error>) -> KeyResult] = [:]

    /// K1: runs `body` (provider work) away from the keys, beside whatever
    /// runs; `then` turns its result into what the console does next, on a
    /// later frame. Refused, with a sentence, while work of the same label runs.
    @discardableResult
    func run<T: Sendable>(_ label: String, task: TaskID? = nil, _ body: @escaping @Sendable () throws -> T,
                          then: @escaping (Result<T, Error>) -> KeyResult) -> Bool {
        guard !context.background.running.contains(where: { $0.label == label }) else {
            message = ("\(label) is running already.", false)
            return false
        }
        nextWork += 1
        let work = BackgroundWork(id: nextWork, label: label, task: task)
        continuations[work.id] = { result in
            then(result.flatMap { value in
                guard let typed = value as? T else { return .failure(Refusal("\(label) ended with an answer of another kind.")) }
                return .success(typed)
            })
        }
        context.background.start(work) { try body() }
        return true
    }

    /// Work whose result is a sentence for the message line ("" for none); a failure says its own.
    @discardableResult
    func run(_ label: String, task: TaskID? = nil, _ body: @escaping @Sendable () throws -> String) -> Bool {
        run(label, task: task, body) { [unowned self] result in
            switch result {
            case .success(let text): if !text.isEmpty { self.message = (DisplayText.neutralized(text), false) }
            case .failure(let error): self.complain(error)
            }
            return .handled
        }
    }

    /// Takes in what background work finished: the data changed, and each
    /// result becomes what its `then` says, for the console to act on.
    func takeBackgroundResults() -> [KeyResult] {
        context.background.drain().map { work, result in
            dataChanged()
            return continuations.removeValue(forKey: work.id)?(result) ?? .handled
        }
    }

    /// Shows the one sentence of a refusal; other errors as they describe themselves.
    func complain(_ error: Error) {
        let sentence = (error as? CertpushError)?.sentence ?? String(describing: error)
        message = (DisplayText.neutralized(sentence), true)
    }
}

/// What a key did, for the console to act on.
indirect enum KeyResult {
    case handled
    /// Not this screen's key: the console's global keys get it.
    case ignored
    case open(Screen)
    case close
    /// Close this screen and open another in its place.
    case replace(Screen)
    /// Close every screen above the page at the bottom of the stack.
    case closeAll
    /// Switch to a section and open a screen there (a task just created).
    case goTo(Console.Section, Screen)
    /// Run this work (a write, provider work), then act on what it returns.
    case perform(Effect)
    /// Like `goTo`, but Esc from that screen comes back here (Configure Now).
    case visit(Console.Section, Screen)
    case quit
}

/// Work a key asks for, run by the console and not by the screen: a write
/// to the store or provider work. What it returns is acted on like a key's
/// result; if it throws, its sentence becomes the message (or `failed` decides).
struct Effect {
    /// What the work changes, for the screens to read again.
    var changes: DataKinds = .all
    var work: (Services) throws -> KeyResult
    var failed: ((Error) -> KeyResult)?
    /// What follows once the work is done or has failed, in place of "handled" (a confirmation closes).
    var after: KeyResult?

    init(changes: DataKinds = .all, failed: ((Error) -> KeyResult)? = nil, _ work: @escaping (Services) throws -> KeyResult) {
        self.changes = changes
        self.work = work
        self.failed = failed
    }
}

extension KeyResult {
    /// This result, with `next` in place of "handled": a confirmation closes
    /// once its effect has run, whether it worked or not.
    func then(_ next: KeyResult) -> KeyResult {
        switch self {
        case .handled: return next
        case .perform(var effect):
            effect.after = next
            return .perform(effect)
        default: return self
        }
    }
}

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
