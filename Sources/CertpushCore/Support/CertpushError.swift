/// What every error certpush shows a person conforms to: one sentence, and
/// whether the work was refused before it ran (exit code 2) or ran and failed (1).
public protocol CertpushError: Error, CustomStringConvertible, Sendable {
    var sentence: String { get }
    var outcome: ErrorOutcome { get }
}

public enum ErrorOutcome: Sendable {
    /// Refused or bad input: nothing changed. Exit code 2.
    case refused
    /// It ran, and some part failed. Exit code 1.
    case failed

    public var exitCode: Int32 { self == .refused ? 2 : 1 }
}

extension CertpushError {
    public var description: String { sentence }
    public var outcome: ErrorOutcome { .refused }
}

/// A refusal whose sentence is all there is to say.
public struct Refusal: CertpushError, Equatable {
    public let sentence: String
    public init(_ sentence: String) { self.sentence = sentence }
}

/// T6: the database stopped answering (PostgreSQL restarted, the network
/// gone). Nothing of the transaction it broke was kept; work a provider
/// did meanwhile is finished by recovery (R3) once the database answers again.
public struct DatabaseUnreachable: CertpushError, Equatable {
    public let location: String
    /// What the connection met, in a few words.
    public let why: String
    /// Whether part of the command's work ran before the connection went (exit 1) or none did (exit 2).
    public var workRan = false

    public init(location: String, why: String) {
        self.location = location
        self.why = why
    }

    public var sentence: String {
        workRan
            ? "Lost the database at \(location) (\(why)) while work was under way: what a provider did is finished by recovery (the next `certpush tasks run-due` or console) once it answers again."
            : "The database at \(location) does not answer (\(why)): nothing was changed."
    }

    public var outcome: ErrorOutcome { workRan ? .failed : .refused }

    /// The same loss, met after part of the work ran.
    public func afterWork() -> DatabaseUnreachable {
        var ran = self
        ran.workRan = true
        return ran
    }
}
