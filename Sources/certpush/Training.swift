import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// W6: a training workspace practised in again.
struct Training: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Training workspace only: the seeded sandbox again, or the end of a planned failure.",
        subcommands: [Reset.self, Fix.self])

    /// The training workspace's service, or the sentence that says this is not one.
    static func service(_ workspace: Workspace) throws -> TrainingService {
        guard let training = workspace.training else {
            throw Refusal("\(workspace.store.location) is a live workspace: training commands work only in a training workspace (certpush --training ...).")
        }
        return training
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give back the seeded sandbox: its certificates, resources, quota and contacts; exercises to do again.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let workspace = try global.openWorkspace()
            try Training.service(workspace).reset()
            let count = try workspace.certificates.count(CertificateQuery())
            print("The sandbox is as it was seeded: \(Words.count(count, "certificate")), its quota full, every exercise to do again.")
        }
    }

    struct Fix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End the planned failure on a sandbox resource (a listener in maintenance), so a retry succeeds.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The resource id, like r6.") var resource: String

        func run() throws {
            let workspace = try global.openWorkspace()
            guard let id = ResourceID(resource) else { throw Refusal("\"\(DisplayText.neutralized(resource))\" is not a resource id (like r6).") }
            let fixed = try Training.service(workspace).fix(id)
            print("\(fixed.id) \(DisplayText.neutralized(fixed.name)): the planned failure is over; a retry of its failed pair will succeed.")
        }
    }
}
