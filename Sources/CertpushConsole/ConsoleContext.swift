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
    /// T3: where changes other bastions commit are heard (a team's workspace in PostgreSQL); nil for a file.
    public var changes: (any ChangeFeed)?

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
