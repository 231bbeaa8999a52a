import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

struct Tasks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deployment tasks: preview, create, list, show, roll back, retry, delete, run the due ones.",
        subcommands: [Preview.self, Create.self, List.self, Show.self, Rollback.self, Retry.self, Delete.self, RunDue.self])

    struct Definition: ParsableArguments {
        @Option(help: "The task name (1 to 64 characters).") var name: String
        @Option(name: .customLong("cert"), help: "A certificate id; repeat, or separate with commas, for several.") var certificates: [String] = []
        @Option(name: .customLong("resource"), help: "A resource id; repeat, or separate with commas, for several.") var resources: [String] = []
        @Flag(help: "Add the resources smart matching finds (D5).") var match = false
        @Option(help: "Run at this time: ISO 8601 with a zone (2026-12-01T09:30:00Z), or YYYY-MM-DD HH:MM in the local zone (TZ).") var at: String?
        @Option(name: .customLong("contact"), help: "A contact's name; repeat for several (up to 10).") var contacts: [String] = []

        func request() throws -> TaskRequest {
            TaskRequest(
                // Commas too: ten thousand repeated options cost the argument parser seconds.
                name: name, certificates: try Self.split(certificates).map { text in
                    // Existence is the plan's to check, in one read for all of them.
                    guard let id = CertificateID(text) else { throw Refusal("\"\(DisplayText.neutralized(text))\" is not a certificate id (like c12).") }
                    return id
                },
                resources: try Self.split(resources).map { text in
                    guard let id = ResourceID(text) else { throw Refusal("\"\(DisplayText.neutralized(text))\" is not a resource id (like r3).") }
                    return id
                },
                match: match, at: try at.map(TimeText.parse), contacts: contacts)
        }

        static func split(_ values: [String]) -> [String] {
            values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) } }
        }
    }

    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the pairs and quota a task would take, and what stops it.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var definition: Definition
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let workspace = try global.openWorkspace(forReading: true)
            let plan = try workspace.deployments.preview(definition.request())
            if json {
                try printJSON(PlanJSON(plan))
            } else {
                print(Words.count(plan.pairs.count, "certificate-resource pair") + "; quota \(plan.quota) of \(plan.quotaRemaining) left.")
                let resources = Dictionary(plan.resources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                printTable(header: ["RESOURCE", "SERVICE", "REGION", "NAME", "DOMAIN", "CERTIFICATE"], rows: plan.pairs.map { pair in
                    let resource = resources[pair.resource]!
                    return [resource.id.description, resource.service, resource.region ?? "global", resource.name, resource.domain,
                            pair.certificate.description]
                })
                for problem in plan.problems { print("cannot submit: \(DisplayText.neutralized(problem))") }
                for warning in plan.warnings { print("will fail: \(DisplayText.neutralized(warning))") }
            }
            if !plan.canSubmit { throw ExitCode(2) }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a task; without --at it runs before this returns.",
            discussion: "Exit 0 when it succeeded (or was scheduled), 1 when some resource failed, 2 when refused.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var definition: Definition
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let workspace = try global.openWorkspace()
            let task = try workspace.deployments.create(definition.request())
            if json { printStreamedJSON(TaskJSON(task)) } else { printTask(task) }
            if task.status == .failed || task.status == .partiallyFailed { throw ExitCode(1) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deployment tasks, newest first.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let deployments = try global.openWorkspace(forReading: true).deployments
            // JSON carries every pair, for scripts; the table reads counts only.
            if json { return try printJSON(try deployments.tasks().map(TaskJSON.init)) }
            printTable(header: ["ID", "NAME", "STATUS", "CERTIFICATES", "OK/FAILED/TOTAL", "AT"], rows: try deployments.summaries().map { task in
                [task.id.description, task.name, task.statusWords, task.certificateText,
                 "\(task.count(.succeeded))/\(task.count(.failed))/\(task.pairTotal)", Formats.minute(task.scheduledAt ?? task.createdAt)]
            })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a task and each of its resources.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task id, like t3.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let task = try global.openWorkspace(forReading: true).deployments.task(try TaskText.id(id))
            if json { return printStreamedJSON(TaskJSON(task)) }
            printTask(task)
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put the previous certificates back (all succeeded resources, or those named).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task id, like t3.") var id: String
        @Option(name: .customLong("resource"), help: "A resource id; repeat for several.") var resources: [String] = []

        func run() throws {
            let workspace = try global.openWorkspace()
            let taskID = try TaskText.id(id)
            let outcomes = try workspace.deployments.rollBack(taskID, resources: try TaskText.resources(resources))
            for outcome in outcomes { print(outcome.sentence) }
            printTask(try workspace.deployments.task(taskID))
            if outcomes.contains(where: { $0.failure != nil }) { throw ExitCode(1) }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run failed resources again (all, or those named).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task id, like t3.") var id: String
        @Option(name: .customLong("resource"), help: "A resource id; repeat for several.") var resources: [String] = []

        func run() throws {
            let workspace = try global.openWorkspace()
            let task = try workspace.deployments.retry(try TaskText.id(id), resources: try TaskText.resources(resources))
            printTask(task)
            if task.status == .failed || task.status == .partiallyFailed { throw ExitCode(1) }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete tasks; they cannot be restored.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Task ids, like t3.") var ids: [String]

        func run() throws {
            let ids = try ids.map(TaskText.id)
            try global.openWorkspace().deployments.delete(ids)
            print("Deleted \(ids.map(\.description).joined(separator: ", ")).")
        }
    }

    struct RunDue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-due", abstract: "Run queued tasks: pending ones, scheduled ones whose time has come, and any a dead process left (for cron or a systemd timer).")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let workspace = try global.openWorkspace()
            try workspace.push.recover()
            let ran = try workspace.deployments.runDue()
            if ran.isEmpty { print("No task was due.") }
            // One line per task it ran or finished, with its outcome; exit 1 when one failed, for cron.
            var failed = false
            for id in ran {
                let task = try workspace.deployments.task(id)
                print(TaskText.outcome(task))
                failed = failed || task.status == .failed || task.status == .partiallyFailed
            }
            if failed { throw ExitCode(1) }
        }
    }
}

enum TaskText {
    /// "t6 nightly: partially failed (1 of 3 pairs failed; r7: its cause)".
    static func outcome(_ task: DeploymentTask) -> String {
        let failed = task.pairs.filter { $0.status == .failed }
        var detail = Words.count(task.pairs.count, "pair")
        if !failed.isEmpty {
            detail = "\(failed.count) of \(detail) failed; " + failed.prefix(3).map { "\($0.resourceID): \(DisplayText.neutralized($0.cause))" }.joined(separator: "; ")
                + (failed.count > 3 ? "; \(failed.count - 3) more in `certpush tasks show \(task.id)`" : "")
        }
        return "\(task.id) \(DisplayText.neutralized(task.name)): \(task.statusWords) (\(detail))"
    }

    static func id(_ text: String) throws -> TaskID {
        guard let id = TaskID(text) else { throw Refusal("\"\(DisplayText.neutralized(text))\" is not a task id (like t3).") }
        return id
    }

    static func resources(_ texts: [String]) throws -> [ResourceID]? {
        guard !texts.isEmpty else { return nil }
        return try texts.map { text in
            guard let id = ResourceID(text) else { throw Refusal("\"\(DisplayText.neutralized(text))\" is not a resource id (like r3).") }
            return id
        }
    }
}

enum TimeText {
    /// ISO 8601 with a zone, or local `YYYY-MM-DD HH:MM` (the core reads both).
    static func parse(_ text: String) throws -> Date { try ISOTime.parse(text) }
}

func printTask(_ task: DeploymentTask) {
    print("\(task.id) \(DisplayText.neutralized(task.name)): \(task.statusWords)"
          + (task.scheduledAt.map { ", scheduled for \(Formats.minute($0))" } ?? ""))
    printTable(header: ["RESOURCE", "ACCOUNT", "SERVICE", "REGION", "NAME", "CERTIFICATE", "STATUS", "CAUSE"], rows: task.pairs.map { pair in
        [pair.resourceID.description, pair.account, pair.service, pair.region ?? "global", pair.resourceName, pair.certificateID.description,
         pair.status.words, pair.cause]
    })
}

struct PlanJSON: Encodable {
    /// A preview is not a task yet: no id, no status.
    @Nullable var id: String? = nil
    @Nullable var status: String? = nil
    var pairs: Int
    var quota: Int
    var quotaRemaining: Int
    var resources: [String]
    var problems: [String]
    var warnings: [String]

    init(_ plan: TaskPlan) {
        pairs = plan.pairs.count
        quota = plan.quota
        quotaRemaining = plan.quotaRemaining
        resources = plan.resources.map(\.id.description)
        problems = plan.problems
        warnings = plan.warnings
    }
}

/// A task with its pairs. `tasks list --json` encodes it; `tasks create`
/// and `tasks show` stream it (100,000 pairs), to the same letter.
struct TaskJSON: Encodable, StreamableJSON {
    struct Resource: Encodable {
        var id: String
        var account: String
        var certificate: String
        var service: String
        @Nullable var region: String?
        var status: String
        @Nullable var cause: String?
    }

    var id: String
    var name: String
    var status: String
    var contacts: [String]
    var createdAt: String
    var createdBy: String
    @Nullable var scheduledAt: String?
    @Nullable var finishedAt: String?
    var pairs: Int
    var succeeded: Int
    var failed: Int
    var quota: Int
    var resources: [Resource]

    /// In the order of the keys, as JSONEncoder sorts them.
    func writeJSON(into object: inout JSONObjectText) {
        object.add("contacts", contacts)
        object.add("createdAt", createdAt)
        object.add("createdBy", createdBy)
        object.add("failed", failed)
        object.add("finishedAt", finishedAt)
        object.add("id", id)
        object.add("name", name)
        object.add("pairs", pairs)
        object.add("quota", quota)
        object.add("resources", objects: resources) { resource, inner in
            inner.add("account", resource.account)
            inner.add("cause", resource.cause)
            inner.add("certificate", resource.certificate)
            inner.add("id", resource.id)
            inner.add("region", resource.region)
            inner.add("service", resource.service)
            inner.add("status", resource.status)
        }
        object.add("scheduledAt", scheduledAt)
        object.add("status", status)
        object.add("succeeded", succeeded)
    }

    init(_ task: DeploymentTask) {
        id = task.id.description
        name = task.name
        status = task.status.rawValue
        contacts = task.contacts
        createdAt = Formats.iso(task.createdAt)
        createdBy = task.createdBy
        scheduledAt = task.scheduledAt.map(Formats.iso)
        finishedAt = task.finishedAt.map(Formats.iso)
        pairs = task.pairs.count
        succeeded = task.count(.succeeded)
        failed = task.count(.failed)
        quota = task.pairs.filter(\.charged).count
        resources = task.pairs.map {
            Resource(id: $0.resourceID.description, account: $0.account, certificate: $0.certificateID.description, service: $0.service,
                     region: $0.region, status: $0.status.rawValue, cause: $0.cause.isEmpty ? nil : $0.cause)
        }
    }
}
