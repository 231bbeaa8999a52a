import CertpushCore
import CertpushSetup
import CertpushTestSupport
import Foundation
import Testing

/// SPEC 9 and R3: a long roll back holds no lock while the provider works, so
/// other processes import, list and run the queue meanwhile without waiting
/// for it, and never see "database is locked".
@Suite struct ConcurrencyTests {
    let directory = TemporaryDirectory()
    var db: String { directory.path("busy.sqlite") }
    var environment: [String: String] { ["XDG_STATE_HOME": directory.path("state"), "XDG_CONFIG_HOME": directory.path("config")] }

    @Test("a slow roll back (400 ms a resource) runs while import, list and run-due each finish before it does")
    func slowRollbackBlocksNobody() throws {
        #expect(try CertpushBinary.run(["init", "--db", db], environment: environment).status == 0)
        let workspace = try Workspace.open(path: db)
        let wildcard = try #require(try workspace.certificates.list(CertificateQuery()).first { $0.name == "wildcard-example" })
        let task = try workspace.deployments.create(TaskRequest(name: "slow", certificates: [wildcard.id], match: true))
        let succeeded = task.count(.succeeded)
        #expect(succeeded >= 8)
        try FileManager.default.createDirectory(atPath: directory.path("config/certpush"), withIntermediateDirectories: true)
        try "sandbox_latency_ms = 400\n".write(toFile: directory.path("config/certpush/config.toml"), atomically: true, encoding: .utf8)

        final class Finished: @unchecked Sendable {
            var result: CertpushBinary.Result?
            var at = Date.distantFuture
        }
        let rollback = Finished()
        let done = DispatchSemaphore(value: 0)
        let (database, env) = (db, environment)
        Thread.detachNewThread {
            rollback.result = try? CertpushBinary.run(["tasks", "rollback", task.id.description, "--db", database], environment: env)
            rollback.at = Date()
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.5)
        let others: [[String]] = [
            ["certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path],
            ["certs", "list"],
            ["tasks", "run-due"],
            ["resources", "list"],
        ]
        var finishedAt: [Date] = []
        for command in others {
            let started = Date()
            let result = try CertpushBinary.run(command + ["--db", db], environment: environment)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("locked"))
            #expect(Date().timeIntervalSince(started) < 2, "\(command) waited for the roll back")
            finishedAt.append(Date())
        }
        done.wait()
        #expect(rollback.result?.status == 0, "\(rollback.result?.stderr ?? "")")
        #expect(finishedAt.allSatisfy { $0 < rollback.at })
        #expect(try workspace.deployments.task(task.id).status == .rolledBack)
    }
}
