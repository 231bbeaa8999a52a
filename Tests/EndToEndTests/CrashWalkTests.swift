import CertpushCore
import CertpushSetup
import CertpushTestSupport
import Foundation
import Testing

/// SPEC 9 and R3: `kill -9` at every database write of `tasks create`,
/// `run-due`, `retry` and `rollback`, then one `run-due`: no task is left that
/// no command will finish, each resource holds what its pair says, and quota
/// is exact. The debug binary dies at write N when CERTPUSH_KILL_AFTER_WRITES=N.
@Suite(.serialized) struct CrashWalkTests {
    let directory = TemporaryDirectory()
    let quota = 10

    struct World {
        var database: String
        var certificate: CertificateID
        var resources: [ResourceID]
    }

    /// A sandbox made by the binary, plus two CDN resources the uploaded
    /// media certificate covers, one of them faulty: three pairs, each a unit of quota.
    func makeWorld(in folder: TemporaryDirectory) throws -> World {
        let database = folder.path("crash.sqlite")
        #expect(try CertpushBinary.run(["init", "--db", database], environment: environment(folder)).status == 0)
        let workspace = try Workspace.open(path: database)
        let media = try #require(try workspace.certificates.list(CertificateQuery()).first { $0.name == "media-upload" })
        let resources: [ResourceID] = try workspace.store.write { db in
            let seeded = try #require(try db.resources(ResourceFilter(service: "cdn")).first { $0.domain == "img.example.com" })
            let fresh = try db.insertResource(CloudResource(id: ResourceID(0), service: "cdn", region: nil, name: "media.example.com",
                                                            domain: "media.example.com", certificateID: nil))
            let faulty = try db.insertResource(CloudResource(id: ResourceID(0), service: "cdn", region: nil, name: "img-edge",
                                                             domain: "img.example.com", certificateID: nil, fault: "edge node offline"))
            return [seeded.id, fresh, faulty]
        }
        return World(database: database, certificate: media.id, resources: resources)
    }

    func environment(_ folder: TemporaryDirectory) -> [String: String] {
        ["XDG_STATE_HOME": folder.path("state"), "XDG_CONFIG_HOME": folder.path("config")]
    }

    func request(_ world: World) -> TaskRequest {
        TaskRequest(name: "walk", certificates: [world.certificate], resources: world.resources)
    }

    /// Runs the command with a kill after each write in turn until it finishes
    /// unkilled; after every kill, `run-due` must leave the database whole.
    /// Returns how many write points were walked.
    func walk(_ command: [String], setUp: (World, Workspace) throws -> Void = { _, _ in }) throws -> Int {
        var point = 1
        while point < 200 {
            let folder = TemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder.url) }
            let world = try makeWorld(in: folder)
            let before = try Workspace.open(path: world.database)
            try setUp(world, before)
            let original = try before.store.read { db in try world.resources.map { try db.resource($0)?.certificateID } }
            var env = environment(folder)
            env["CERTPUSH_KILL_AFTER_WRITES"] = "\(point)"
            let run = try CertpushBinary.run(command + ["--db", world.database], environment: env)
            guard run.status == 137 else {
                #expect(run.status == 0 || run.status == 1, "\(command) ended \(run.status): \(run.stderr)")
                return point - 1
            }
            let recovery = try CertpushBinary.run(["tasks", "run-due", "--db", world.database], environment: environment(folder))
            // Exit 1 says a task it finished has a failed pair (the world has one that always fails), never a refusal.
            #expect([0, 1].contains(recovery.status), "run-due after a kill at write \(point) of \(command): \(recovery.stderr)")
            try checkWhole(world, original: original, context: "\(command.joined(separator: " ")), killed at write \(point)")
            point += 1
        }
        Issue.record("\(command) never finished unkilled")
        return point
    }

    func checkWhole(_ world: World, original: [CertificateID?], context: String) throws {
        let workspace = try Workspace.open(path: world.database)
        let tasks = try workspace.deployments.tasks()
        for task in tasks {
            #expect(task.status.isFinished, "\(context): \(task.id) is \(task.status.rawValue)")
            for pair in task.pairs {
                let held = try workspace.store.read { try $0.resource(pair.resourceID)?.certificateID }
                let before = original[world.resources.firstIndex(of: pair.resourceID)!]
                switch pair.status {
                case .succeeded: #expect(held == pair.certificateID, "\(context): \(pair.resourceID) succeeded but holds \(String(describing: held))")
                case .rolledBack: #expect(held == pair.previousCertificateID, "\(context): \(pair.resourceID) rolled back but holds \(String(describing: held))")
                case .failed: #expect(held == before, "\(context): \(pair.resourceID) failed but holds \(String(describing: held))")
                default: Issue.record("\(context): \(pair.resourceID) left \(pair.status.rawValue)")
                }
            }
        }
        let charged = tasks.flatMap(\.pairs).filter(\.charged).count
        #expect(try workspace.deployments.quotaRemaining() + charged == quota, "\(context): quota does not add up")
    }

    @Test("kill -9 at every write of tasks create, then run-due: nothing left unfinished, quota exact")
    func create() throws {
        let folder = TemporaryDirectory()
        let world = try makeWorld(in: folder)
        let command = ["tasks", "create", "--name", "walk", "--cert", world.certificate.description]
            + world.resources.flatMap { ["--resource", $0.description] }
        // Runs of pairs commit their intents and results together: fewer writes, each still walked.
        #expect(try walk(command) >= 6)
    }

    @Test("kill -9 at every write of tasks run-due draining a pending task")
    func runDue() throws {
        let points = try walk(["tasks", "run-due"]) { world, workspace in
            _ = try workspace.deployments.create(request(world), runNow: false)
        }
        #expect(points >= 6)
    }

    @Test("kill -9 at every write of tasks retry")
    func retry() throws {
        let points = try walk(["tasks", "retry", "t1"]) { world, workspace in
            _ = try workspace.deployments.create(request(world))
        }
        #expect(points >= 4)
    }

    @Test("kill -9 at every write of tasks rollback")
    func rollback() throws {
        let points = try walk(["tasks", "rollback", "t1"]) { world, workspace in
            _ = try workspace.deployments.create(request(world))
        }
        #expect(points >= 6)
    }
}
