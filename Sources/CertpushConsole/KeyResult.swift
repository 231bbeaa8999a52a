import CertpushCore

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
