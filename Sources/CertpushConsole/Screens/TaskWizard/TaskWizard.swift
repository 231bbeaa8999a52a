import CertpushCore
import Foundation
import TerminalKit

/// Create a deployment task in four steps (SPEC 5): basic information,
/// certificates, resources (with the smart-match offer), preview and submit.
/// Enter goes on, Esc goes back; the core decides every rule at preview.
/// Each step is its own type; what they fill in together is the `TaskDraft`.
final class TaskWizard: Screen {
    enum Step: Int, CaseIterable {
        case basics, certificates, resources, preview
        var title: String {
            switch self {
            case .basics: "Basics"
            case .certificates: "Certificates"
            case .resources: "Resources"
            case .preview: "Preview and Submit"
            }
        }
        var shortTitle: String { self == .preview ? "Preview" : self == .certificates ? "Certs" : title }
    }

    let session: Session
    let draft: TaskDraft
    private(set) var step = Step.basics
    private let basicsStep: BasicsStep
    private let certificatesStep: CertificatesStep
    private let resourcesStep: ResourcesStep
    private let previewStep: PreviewStep

    init(session: Session, certificates: [Certificate]) {
        self.session = session
        draft = TaskDraft(certificates: certificates)
        draft.contacts = session.attempt({ try session.services.deployments.contacts().map(\.name) }, default: [])
        basicsStep = BasicsStep(session: session, draft: draft)
        certificatesStep = CertificatesStep(session: session, draft: draft, source: certificates.first?.source)
        resourcesStep = ResourcesStep(session: session, draft: draft)
        previewStep = PreviewStep(session: session, draft: draft)
    }

    private var current: any WizardStep {
        switch step {
        case .basics: basicsStep
        case .certificates: certificatesStep
        case .resources: resourcesStep
        case .preview: previewStep
        }
    }

    var title: String { "Create Deployment Task" }
    var words: [String] { ["official", "uploaded", "shared", "pair", "quota", "scheduled", "smart matching", "SM"] }
    var isTyping: Bool { current.isTyping }

    var commands: [Command] {
        var commands = current.commands
        // A step typing its filter has all the keys.
        guard !(current.isTyping && step != .basics) else { return commands }
        commands.append(Command([.enter], step == .preview ? "submit" : "next step") { [unowned self] in self.advance() })
        if current.isFiltered {
            commands.append(Command([.escape], "clear filter") { [unowned self] in
                self.current.clearFilter()
                return .handled
            })
        }
        commands.append(Command([.escape], step == .basics ? "cancel" : "previous step") { [unowned self] in
            guard let previous = Step(rawValue: self.step.rawValue - 1) else { return .close }
            self.go(to: previous)
            return .handled
        })
        return commands
    }

    func willHandleKey() { draft.warning = nil }

    private func go(to newStep: Step) {
        step = newStep
        current.reset()
    }

    private func advance() -> KeyResult {
        switch current.proceed() {
        case .stay: return .handled
        case .result(let result): return result
        case .next:
            guard let next = Step(rawValue: step.rawValue + 1) else { return .handled }
            go(to: next)
            return next == .resources ? resourcesStep.offerSmartMatches() : .handled
        }
    }

    // MARK: Drawing

    /// The step's body inside the wizard's frame.
    private func body(in inner: Rect) -> Rect { Rect(x: inner.x + 1, y: inner.y + 2, width: inner.width - 2, height: inner.height - 4) }

    func load(in area: Rect) { current.load(in: body(in: area)) }

    func render(in area: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        var x = area.x + 1
        // The steps' titles, shortened to what fits: all in full, then short, then only the current one.
        let full = Step.allCases.map { "\($0.rawValue + 1) \($0.title)" }
        let short = Step.allCases.map { "\($0.rawValue + 1) \($0.shortTitle)" }
        let numbers = Step.allCases.map { $0 == step ? short[$0.rawValue] : "\($0.rawValue + 1)" }
        let labels = [full, short, numbers].first { labels in labels.reduce(0) { $0 + TextWidth.of($1) + 3 } + 1 <= area.width } ?? numbers
        for candidate in Step.allCases {
            let label = labels[candidate.rawValue]
            let role = candidate == step ? "tab.selected" : (candidate.rawValue < step.rawValue ? "status.ok" : "status.muted")
            x += buffer.write(" \(label) ", x: x, y: area.y, style: theme[role]) + 1
            if candidate != .preview { x += buffer.write("›", x: x - 1, y: area.y, style: theme["status.muted"]) }
        }
        current.render(in: body(in: area), into: &buffer)
        if let warning = draft.warning {
            // Two lines, so that a reason is read whole at 80 columns.
            let lines = TextWidth.wrap(warning, width: area.width - 2)
            for (index, line) in lines.prefix(2).enumerated() {
                let text = index == 1 && lines.count > 2 ? TextWidth.truncate(line + " " + lines[2...].joined(separator: " "), to: area.width - 2) : line
                buffer.write(text, x: area.x + 1, y: area.maxY - min(2, lines.count) + index, style: theme["message.error"])
            }
        }
    }
}
