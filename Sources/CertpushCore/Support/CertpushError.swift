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
