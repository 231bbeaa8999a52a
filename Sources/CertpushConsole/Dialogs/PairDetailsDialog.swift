import CertpushCore
import Foundation
import TerminalKit

/// One pair of a task, whole (Enter on its row): the resource, the
/// certificate it holds and held, the whole cause, and each step with its
/// time. ↑↓ scroll what does not fit.
final class PairDetailsDialog: Screen {
    let session: Session
    let pair: TaskPair
    private let lines: [(text: String, role: String, isStep: Bool)]
    private var offset = 0
    private var visible = 1

    init(session: Session, pair: TaskPair) {
        self.session = session
        self.pair = pair
        var steps: [PairStep] = []
        do { steps = try session.services.deployments.steps(of: pair) } catch { session.complain(error) }
        var lines: [(String, String, Bool)] = [
            ("Resource      \(pair.resourceID) \(DisplayText.neutralized(pair.resourceName))", "dialog", false),
            ("Account       \(DisplayText.neutralized(pair.account)) · \(CloudService.named(pair.service)?.label ?? pair.service) · \(pair.region ?? "global")", "dialog", false),
            ("Certificate   \(pair.certificateID)" + (pair.previousCertificateID.map { " (held \($0) before)" } ?? " (held none before)"), "dialog", false),
            ("Status        \(pair.status.words)", TaskText.role(pair.status), false),
        ]
        if !pair.cause.isEmpty {
            lines.append(("", "dialog", false))
            lines.append(("Cause", "dialog.title", false))
            lines += pair.cause.split(separator: "\n", omittingEmptySubsequences: false).map { ("  " + DisplayText.neutralized(String($0)), "dialog", false) }
        }
        lines.append(("", "dialog", false))
        lines.append(("Steps", "dialog.title", false))
        if steps.isEmpty { lines.append(("  none yet: the pair has not run", "status.muted", false)) }
        for step in steps {
            let first = step.cause.split(separator: "\n").first.map { ": " + DisplayText.neutralized(String($0)) } ?? ""
            lines.append(("  \(session.second(step.at))  \(step.status.words)\(first)", TaskText.role(step.status), true))
        }
        self.lines = lines
    }

    var title: String { "\(pair.resourceID) in this task" }
    var isDialog: Bool { true }
    var commands: [Command] {
        Command.movement { [unowned self] key in
            let last = max(0, self.wrapped.count - self.visible)
            switch key {
            case .up: self.offset = max(0, self.offset - 1)
            case .down: self.offset = min(last, self.offset + 1)
            case .pageUp: self.offset = max(0, self.offset - self.visible)
            case .pageDown: self.offset = min(last, self.offset + self.visible)
            case .home: self.offset = 0
            case .end: self.offset = last
            default: break
            }
        } + [Command([.enter, .escape], "close", label: "Enter") { .close }]
    }

    private var width = 80
    /// The lines as wrapped at the dialog's width, each with its style.
    /// A line that fits keeps its spacing; a longer one is wrapped under its indent; a step is one line.
    private var wrapped: [(text: String, role: String)] {
        lines.flatMap { line -> [(text: String, role: String)] in
            let room = width - 4
            if TextWidth.of(line.text) <= room || line.isStep { return [line.text].map { ($0, line.role) } }
            let indent = String(line.text.prefix(while: { $0 == " " }))
            return TextWidth.wrap(line.text, width: room - indent.count).map { (indent + $0, line.role) }
        }
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        width = min(area.width - 2, 100)
        let all = wrapped
        let inner = Frame.dialog(title, width: width, height: min(area.height, all.count + 4), in: area, theme: session.theme, into: &buffer)
        visible = max(1, inner.height - 2)
        offset = min(offset, max(0, all.count - visible))
        for (index, line) in all.dropFirst(offset).prefix(visible).enumerated() {
            buffer.write(TextWidth.truncate(line.text, to: inner.width - 2), x: inner.x + 1, y: inner.y + 1 + index, style: session.theme[line.role])
        }
        if all.count > visible {
            let below = all.count - offset - visible
            let hint = below > 0 ? "↓ \(below) more" : "↑ top"
            buffer.write(hint, x: inner.x + 1, y: inner.maxY - 1, style: session.theme["status.muted"])
        }
        _ = Button.render("Close", focused: true, theme: session.theme, at: inner.maxX - 10, y: inner.maxY - 1, into: &buffer)
    }
}
