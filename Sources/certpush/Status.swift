import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// W4: which workspace a command uses, its accounts and what is queued or running.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Which workspace commands use, its accounts, queued and running tasks.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let workspace = try global.openWorkspace(forReading: true)
        let (summaries, synced, leases) = try workspace.store.read { db in
            let summaries = try db.taskSummaries()
            // T2: who runs each running task, and until when its claim holds without a heartbeat.
            let leases = try summaries.filter { $0.status == .running }.compactMap { summary in
                try db.taskState(summary.id)?.lease.map { (summary.id, $0) }
            }
            return (summaries, try workspace.accounts.compactMap { try db.value(forKey: DeploymentService.lastSyncKey($0.name)) }, leases)
        }
        let queued = summaries.filter { $0.status == .pending || $0.status == .scheduled }.count
        let running = summaries.filter { $0.status == .running }.count
        let status = StatusJSON(workspace: workspace.kind.rawValue, path: workspace.store.location, accounts: workspace.accounts.map(\.name),
                                queued: queued, running: running, lastSync: synced.max(),
                                runners: leases.map { RunnerJSON(task: $0.0.description, host: $0.1.host, process: Int($0.1.runner),
                                                                 leaseUntil: Formats.iso($0.1.until)) })
        if json { return try printJSON(status) }
        let what = switch workspace.kind {
        case .training: "TRAINING: the sandbox; nothing here reaches a real server or cloud."
        case .live: "LIVE: " + (status.accounts.isEmpty ? "no accounts yet ([accounts.NAME] in config.toml)." : status.accounts.joined(separator: ", ") + ".")
        case .needsSplit: "NEEDS SPLIT: it can only be read until `certpush workspace split`."
        }
        print("Workspace: \(status.path)")
        print("Kind: \(what)")
        if let note = workspace.unusedAccountsNote { print(note) }
        print("Tasks: \(queued) queued, \(running) running.")
        for (task, lease) in leases {
            print("  \(task) runs on \(DisplayText.neutralized(lease.host)) (process \(lease.runner)); its lease holds until \(Formats.minute(lease.until)) unless renewed.")
        }
        print("Last synchronized: " + (Formats.minute(isoText: status.lastSync) ?? "never") + ".")
    }
}

struct StatusJSON: Encodable {
    var workspace: String
    var path: String
    var accounts: [String]
    var queued: Int
    var running: Int
    @Nullable var lastSync: String?
    var runners: [RunnerJSON]
}

/// T2: a running task's runner and lease.
struct RunnerJSON: Encodable {
    var task: String
    var host: String
    var process: Int
    var leaseUntil: String
}
