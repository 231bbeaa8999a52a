/// SPEC 14: what a database is. A training workspace holds the sandbox and
/// nothing real; a live one holds the configured accounts and no sandbox.
/// The kind is stored when the database is made and never changes.
public enum WorkspaceKind: String, Sendable, Equatable {
    case training, live
    /// A database made before workspaces that holds both the sandbox and a
    /// real account's work (W7): it can only be read until it is split.
    /// Never stored: only ever found.
    case needsSplit = "needs-split"

    /// The setting that holds the kind of a database made with workspaces.
    public static let settingKey = "workspace.kind"

    /// What `status` and the title bar call it.
    public var title: String {
        switch self {
        case .training: "TRAINING"
        case .live: "LIVE"
        case .needsSplit: "NEEDS SPLIT"
        }
    }

    /// W7: the kind of a database, from what is stored in it. `stored` is the
    /// kind written when it was made; older databases are judged by what they
    /// hold (`contents`, asked only for them).
    public static func of(stored: String?, madeEmpty: Bool, contents: () throws -> WorkspaceContents) rethrows -> WorkspaceKind {
        if let stored, let kind = WorkspaceKind(rawValue: stored), kind != .needsSplit { return kind }
        let contents = try contents()
        if contents.holdsSandbox && contents.holdsReal { return .needsSplit }
        if contents.holdsSandbox && !madeEmpty { return .training }
        return .live
    }

    /// The one sentence every command on a database that needs a split says (W7).
    public static func splitSentence(path: String) -> String {
        "\(path) holds the training sandbox and real accounts' work together: it can only be read until it is split with `certpush workspace split` (the file is kept as it is)."
    }
}

/// What a database holds, as far as W7 needs to know.
public struct WorkspaceContents: Sendable, Equatable {
    /// The sandbox was seeded, or sandbox resources or pushes are there.
    public var holdsSandbox: Bool
    /// A real account's resources, pushes or task pairs are there.
    public var holdsReal: Bool

    public init(holdsSandbox: Bool, holdsReal: Bool) {
        self.holdsSandbox = holdsSandbox
        self.holdsReal = holdsReal
    }
}
