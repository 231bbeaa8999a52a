import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

/// SPEC 15 through the CLI: each exercise is done by the commands a trainee
/// would type, and `exercises --json` marks it done then and not before (E3).
@Suite struct ExerciseWalkTests {
    let cli = ConfiguredCLI()

    let elevenRegions = ["cn-north-4", "cn-north-1", "cn-east-3", "cn-east-2", "cn-south-1", "cn-southwest-2",
                         "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "af-south-1", "la-north-2"]

    func certpush(_ arguments: String...) throws -> CertpushBinary.Result { try cli(arguments, config: nil) }

    /// The ids of the exercises the workspace shows done, and every exercise's id in order.
    func progress() throws -> (done: [String], all: [String]) {
        let listed = try certpush("exercises", "--json")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], "\(listed.stderr)")
        for row in rows {
            for field in ["id", "title", "goal", "status", "hint", "explain"] { #expect(row[field] is String, "\(field) in \(row)") }
        }
        return (rows.filter { $0["status"] as? String == "done" }.compactMap { $0["id"] as? String }, rows.compactMap { $0["id"] as? String })
    }

    @Test("E1-E3: every exercise is done by its commands and marked then, never before; reading lists marks nothing")
    func walk() throws {
        #expect(try certpush("init").status == 0)
        let all = try progress().all
        #expect(all.count >= 12)
        #expect(try progress().done.isEmpty)
        // Reading what is there does none of them.
        for read in [["certs", "list"], ["resources", "list"], ["tasks", "list"], ["activity"], ["status"], ["regions"], ["push-records", "c1"]] {
            #expect(try cli(read, config: nil).status == 0, "\(read)")
        }
        #expect(try progress().done.isEmpty)

        // Each step, the commands that do it and the exercise it completes, in the exercises' order.
        let steps: [(exercise: String, commands: [[String]])] = [
            ("details", [["certs", "show", "c1"]]),
            ("push-cdn", [["push", "c2", "--service", "cdn"]]),
            ("push-elb-regions", [["push", "c4", "--service", "elb", "--region", "cn-north-4", "--region", "cn-east-3", "--region", "ap-southeast-1"]]),
            ("region-cap", [["push", "c3", "--service", "elb"] + elevenRegions.flatMap { ["--region", $0] }]),
            ("name-clash", [["push", "c8", "--service", "cdn"]]),
            ("name-clash-resolved", [["certs", "rename", "c8", "static-assets-2026"], ["push", "c8", "--service", "cdn"]]),
            ("configure-bind", [["resources", "bind", "r8", "c8"]]),
            ("refused-certificates", [["tasks", "create", "--name", "shop", "--cert", "c7", "--resource", "r3"]]),
            ("smart-match", [["tasks", "create", "--name", "renew wildcard", "--cert", "c2", "--match"]]),
            ("preview", [["tasks", "preview", "--name", "look", "--cert", "c10", "--match"]]),
            ("failed-then-retried", [["training", "fix", "r6"], ["tasks", "retry", "t1", "--resource", "r6"]]),
            ("roll-back", [["tasks", "rollback", "t1", "--resource", "r5"]]),
            ("schedule", [["tasks", "create", "--name", "later", "--cert", "c1", "--resource", "r1", "--at", "2030-01-01T09:00:00Z"]]),
            ("delete-tasks", [["tasks", "delete", "t2"]]),
        ]
        #expect(steps.map(\.exercise) == all)
        var expected: [String] = []
        for step in steps {
            #expect(!(try progress().done.contains(step.exercise)), "\(step.exercise) was done before its step")
            for command in step.commands {
                let ran = try cli(command, config: nil)
                #expect(ran.stderr.isEmpty || ran.status != 0, "\(command): \(ran.stderr)")
            }
            expected.append(step.exercise)
            let done = try progress().done
            #expect(done == expected, "after \(step.exercise): \(done)")
        }

        // A reset gives the exercises back (W6).
        #expect(try certpush("training", "reset").status == 0)
        #expect(try progress().done.isEmpty)
    }

    @Test("E1: a live workspace has no exercises, and says where they are")
    func liveHasNone() throws {
        try cli.initLive(config: nil, certificates: 0)
        let listed = try certpush("exercises")
        #expect(listed.status == 2)
        #expect(listed.stderr.contains("exercises are in the training one"))
    }
}
