import Foundation

/// What a training workspace shows was done (E3), read in one go: the
/// exercises are judged from these and nothing else.
public struct ExerciseFacts: Sendable, Equatable {
    public struct Push: Sendable, Equatable {
        public var certificate: CertificateID
        public var service: String
        public var region: String?
        public var succeeded: Bool
        public var reason: String
        public init(certificate: CertificateID, service: String, region: String?, succeeded: Bool, reason: String) {
            self.certificate = certificate
            self.service = service
            self.region = region
            self.succeeded = succeeded
            self.reason = reason
        }
    }

    /// The exercise log's events (`ExerciseLog.Event` raw values).
    public var events: Set<String> = []
    /// Which of `actionsAsked` the activity log holds since the last reset.
    public var actions: Set<String> = []
    /// The activity log's actions the exercises are judged by.
    public static let actionsAsked = ["certificate.rename", "resource.bind", "task.retry", "task.delete", "training.fix"]
    /// The sandbox's push records.
    public var pushes: [Push] = []
    /// Every status some task's pair has now.
    public var pairStatuses: Set<PairStatus> = []
    public var tasks = 0
    /// Tasks made with a custom time (D1, D14).
    public var scheduledTasks = 0
    /// A pair succeeded on a resource whose planned failure `training fix` ended (W6).
    public var succeededAfterFix = false

    public init() {}
}
