import Foundation

/// E3: what a trainee reached that leaves no other trace in the workspace
/// (a screen read, a refusal met). Only a training workspace has one; a
/// line that cannot be written (a read-only file) is let go: reaching a
/// screen never fails because of it.
public struct ExerciseLog: Sendable {
    public enum Event: String, Sendable, CaseIterable {
        /// A certificate's details were read (console details, `certs show`).
        case details = "certificate.details"
        /// P5's cap met: an 11th region refused.
        case regionCap = "push.region-cap"
        /// D3 met: a certificate whose name has Chinese characters refused for a task.
        case chineseNameRefused = "deploy.refused-name"
        /// D4 met: an SM certificate refused for a resource that takes none.
        case smRefused = "deploy.refused-sm"
        /// D5: the smart-matched resources accepted into a task.
        case smartMatch = "task.smart-match"
        /// D9: a preview's pairs and quota read.
        case preview = "task.preview"
    }

    public let store: any Store
    public let time: any TimeSource

    public init(store: any Store, time: any TimeSource) {
        self.store = store
        self.time = time
    }

    /// Writes the event once: the first time is what counts, and a screen
    /// read again writes nothing.
    public func note(_ event: Event, subject: String = "") {
        do {
            guard try !store.read({ try $0.exerciseNoted(event.rawValue) }) else { return }
            try store.write { try $0.noteExercise(event.rawValue, subject: subject, at: time.now()) }
        } catch {
            // A read-only or full disk: the trainee's screen matters more than the mark.
        }
    }
}

extension Optional where Wrapped == ExerciseLog {
    /// Notes the event in a training workspace; nothing in a live one.
    public func note(_ event: ExerciseLog.Event, subject: String = "") { self?.note(event, subject: subject) }
}
