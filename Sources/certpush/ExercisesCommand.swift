import ArgumentParser
import CertpushCore
import CertpushSetup
import Foundation

/// SPEC 15, E1: a training workspace's exercises and which are done.
struct ExercisesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exercises", abstract: "Training workspace only: the exercises, in order, and which the workspace shows done.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let workspace = try global.openWorkspace(forReading: true)
        guard workspace.isTraining else {
            throw Refusal("\(global.databasePath) is a live workspace: exercises are in the training one (certpush exercises --training).")
        }
        let statuses = Exercises.status(try workspace.store.read { try $0.exerciseFacts() })
        if json { return try printJSON(statuses.map(ExerciseJSON.init)) }
        let done = statuses.filter(\.done).count
        print("\(done) of \(statuses.count) exercises done.")
        for (number, status) in statuses.enumerated() {
            print("\(status.done ? "✓" : " ") \(Words.numbered(number + 1)). \(status.exercise.title) (\(status.exercise.id))")
            if !status.done { print("      \(status.exercise.goal)\n      Hint: \(status.exercise.hint)") }
        }
    }
}

struct ExerciseJSON: Encodable {
    var id: String
    var title: String
    var goal: String
    var status: String
    var hint: String
    var explain: String

    init(_ status: ExerciseStatus) {
        id = status.exercise.id
        title = status.exercise.title
        goal = status.exercise.goal
        self.status = status.done ? "done" : "todo"
        hint = status.exercise.hint
        explain = status.exercise.explain
    }
}

