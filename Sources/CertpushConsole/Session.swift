import CertpushCore
import Foundation
import TerminalKit

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
    /// How many frames were drawn: what work that must not delay a frame waits for.
    private(set) var framesPainted = 0

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
        defer {
            painting = false
            framesPainted += 1
        }
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

    /// A service's answer for a screen; a failure becomes the message (never a silent empty list) and `fallback` is shown.
    func attempt<T>(_ body: () throws -> T, default fallback: T) -> T {
        if painting { loadsWhilePainting += 1 }
        do { return try body() } catch {
            complain(error)
            return fallback
        }
    }

    func say(_ text: String) { message = (text, false) }

    // MARK: Synchronize, from any screen that offers it

    private static let synchronizeLabel = "synchronize"

    /// Whether a synchronization runs: Synchronize is then unavailable.
    var synchronizing: Bool { context.background.running.contains { $0.label == Self.synchronizeLabel } }

    /// D16: every account's resources read again, away from the keys (K1); a
    /// synchronization may keep certificates it found, so every list reads again.
    func synchronize() {
        guard !synchronizing else { return }
        let deployments = services.deployments
        let everyAccount = context.synchronize
        run(Self.synchronizeLabel, changes: .all) {
            if let everyAccount { return try everyAccount() }
            return "Synchronized " + (try deployments.synchronize(.sandbox).sentence)
        }
    }

    /// The `s` command every screen of resources offers.
    func synchronizeCommand() -> Command {
        Command([.character("s")], synchronizing ? "Synchronize (unavailable while work runs)" : "Synchronize Cloud Resources") { [unowned self] in
            self.synchronize()
            return .handled
        }
    }

    /// "11-22 13:00", in the console's zone: a time in a table.
    func shortTime(_ date: Date) -> String { Self.format(date, "MM-dd HH:mm", zone: context.timeZone) }

    /// "2026-11-22 13:00 UTC+08:00": in the console's zone, which it names.
    func minute(_ date: Date) -> String { ISOTime.shown(date, zone: context.timeZone) }

    /// "2026-11-22 13:00:05 UTC", in the console's zone: a step's time.
    func second(_ date: Date) -> String {
        Self.format(date, "yyyy-MM-dd HH:mm:ss", zone: context.timeZone) + " " + ISOTime.offsetLabel(context.timeZone, at: date)
    }

    /// A column of `shortTime`s, whose header says their zone: "TIME UTC+08:00".
    func timeColumn(_ name: String) -> Column {
        let header = name + " " + ISOTime.offsetLabel(context.timeZone, at: now)
        return Column(header, .fixed(max(11, TextWidth.of(header))))
    }

    private static func format(_ date: Date, _ pattern: String, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    private var nextWork = 0
    /// What each running piece of work does with its result, on this thread, when it is taken in.
    private var continuations: [Int: (changes: DataKinds, then: (Result<any Sendable, Error>) -> KeyResult)] = [:]

    /// K1: runs `body` (provider work) away from the keys, beside whatever
    /// runs; `then` turns its result into what the console does next, on a
    /// later frame, after the screens are told of the data it `changes` (what
    /// a deployment or a push changes, unless said). Refused, with a
    /// sentence, while work of the same label runs.
    @discardableResult
    func run<T: Sendable>(_ label: String, task: TaskID? = nil, changes: DataKinds = .work, _ body: @escaping @Sendable () throws -> T,
                          then: @escaping (Result<T, Error>) -> KeyResult) -> Bool {
        guard !context.background.running.contains(where: { $0.label == label }) else {
            message = ("\(label) is running already.", false)
            return false
        }
        nextWork += 1
        let work = BackgroundWork(id: nextWork, label: label, task: task)
        continuations[work.id] = (changes, { result in
            then(result.flatMap { value in
                guard let typed = value as? T else { return .failure(Refusal("\(label) ended with an answer of another kind.")) }
                return .success(typed)
            })
        })
        context.background.start(work) { try body() }
        return true
    }

    /// Work whose result is a sentence for the message line ("" for none); a failure says its own.
    @discardableResult
    func run(_ label: String, task: TaskID? = nil, changes: DataKinds = .work, _ body: @escaping @Sendable () throws -> String) -> Bool {
        run(label, task: task, changes: changes, body) { [unowned self] result in
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
            guard let continuation = continuations.removeValue(forKey: work.id) else {
                dataChanged()
                return .handled
            }
            dataChanged(continuation.changes)
            return continuation.then(result)
        }
    }

    /// Shows the one sentence of a refusal; other errors as they describe themselves.
    func complain(_ error: Error) {
        let sentence = (error as? CertpushError)?.sentence ?? String(describing: error)
        message = (DisplayText.neutralized(sentence), true)
    }
}
