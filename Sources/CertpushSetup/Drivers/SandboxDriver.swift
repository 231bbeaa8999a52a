import CertpushCore
import CertpushSandbox

/// The training sandbox (SPEC 14): the only account of a training workspace.
struct SandboxDriver: AccountDriver {
    var kind: Account.Kind { .sandbox }
    var settings: Set<String> { [] }

    func configure(_ account: inout Account, from table: AccountTable) throws {}

    func actions(for account: Account, in context: DriverContext) -> AccountActions {
        SandboxProvider(store: context.store, latencySeconds: context.sandboxLatency).actions
    }

    func check(_ account: Account, in context: DriverContext) throws -> [(line: String, failed: Bool)] {
        let count = try context.store.read { try $0.resourceCountsByAccount()[account.name] ?? 0 }
        return [("\(account.name): OK, the training sandbox (\(Words.count(count, "resource"))).", false)]
    }
}
