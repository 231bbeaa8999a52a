import CertpushCore
import Foundation
import TerminalKit

/// SPEC 15: a training workspace's exercises in order, each marked done as
/// the workspace shows it; the one in focus says what to do, where to
/// start, and what it means in the real clouds. `R` resets the sandbox (W6).
final class ExercisesScreen: Screen {
    let session: Session
    private var window = ScrollWindow()
    private var statuses: (version: Int, rows: [ExerciseStatus])?

    init(session: Session) { self.session = session }

    var title: String { "Exercises" }
    var words: [String] { ["exercise", "reset", "planned failure"] }

    var commands: [Command] {
        Command.movement { [unowned self] key in _ = self.window.handle(key) } + [
            Command([.character("R")], "reset the sandbox", dangerous: true) { [unowned self] in self.confirmReset() },
        ]
    }

    private func confirmReset() -> KeyResult {
        .open(ConfirmDialog(
            title: "Reset the sandbox?",
            text: "Every certificate, resource, task and push record of this training workspace goes, and the seeded sandbox comes back with its quota full; every exercise is to do again. The activity log keeps what happened.",
            confirmTitle: "Reset", theme: session.theme
        ) { [unowned self] in
            KeyResult.perform(Effect { services in
                guard let training = services.training else { throw Refusal("This is not a training workspace.") }
                try training.reset()
                self.session.say("The sandbox is as it was seeded; every exercise is to do again.")
                return .handled
            }).then(.close)
        })
    }

    private var rows: [ExerciseStatus] { statuses?.rows ?? [] }

    func load(in rect: Rect) {
        let version = session.version(of: .all)
        if statuses?.version != version {
            let facts = session.read({ try $0.exerciseFacts() }, default: ExerciseFacts())
            statuses = (version, Exercises.status(facts))
        }
        window.setCount(rows.count)
        window.height = max(3, min(rows.count, rect.height / 2 - 1))
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let done = rows.filter(\.done).count
        buffer.write(TextWidth.fit("\(done) of \(rows.count) done · marked as soon as the workspace shows it", to: rect.width),
                     x: rect.x, y: rect.y, style: theme["status.muted"])
        for (line, index) in window.visibleRange.enumerated() {
            let status = rows[index]
            let selected = index == window.selected
            let text = " \(status.done ? "✓" : "·") \(Words.numbered(index + 1))  \(status.exercise.title)"
            let style = selected ? theme["table.cursor"] : theme[status.done ? "status.ok" : "body"]
            buffer.write(TextWidth.fit(text, to: rect.width), x: rect.x, y: rect.y + 1 + line, style: style)
        }
        guard rows.indices.contains(window.selected) else { return }
        let exercise = rows[window.selected].exercise
        var y = rect.y + 2 + window.height
        let bottom = rect.maxY
        func paragraph(_ label: String, _ text: String, role: String) {
            for (number, line) in TextWidth.wrap("\(label) \(text)", width: rect.width - 1).enumerated() where y < bottom {
                buffer.write(line, x: rect.x, y: y, style: theme[number == 0 ? role : "body"])
                y += 1
            }
        }
        paragraph("Goal:", exercise.goal, role: "dialog.title")
        paragraph("Where:", exercise.hint, role: "body")
        paragraph("Why:", exercise.explain, role: "body")
    }
}

