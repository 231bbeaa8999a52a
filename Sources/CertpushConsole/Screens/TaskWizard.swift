import CertpushCore
import Foundation
import TerminalKit

/// Create a deployment task in four steps (SPEC 5): basic information,
/// certificates, resources (with the smart-match offer), preview and submit.
/// Enter goes on, Esc goes back; the core decides every rule at preview.
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
    }

    let session: Session
    private(set) var step = Step.basics
    private(set) var name = TextField()
    private(set) var time = TextField()
    private(set) var customTime = false
    private(set) var contacts: [String] = []
    private(set) var chosenContacts: [String] = []
    private(set) var source = CertificateSource.official
    private(set) var certificates: [CertificateID]
    private(set) var resources: [ResourceID] = []
    private var offeredMatch = false
    private var cursor = ScrollWindow()
    /// While background work runs (a sync, a task), Synchronize is unavailable.
    var synchronizing: Bool { session.context.background.isBusy }
    private var warning: String?

    init(session: Session, certificates: [Certificate]) {
        self.session = session
        self.certificates = certificates.map(\.id)
        if let first = certificates.first {
            source = first.source
            name = TextField("Deploy \(first.name)")
        }
        contacts = (try? session.context.deployments.contacts().map(\.name)) ?? []
    }

    var title: String { "Create Deployment Task" }
    var isTyping: Bool { step == .basics && (cursor.selected == 0 || (customTime && cursor.selected == contacts.count + 2)) }

    var bindings: [KeyBinding] {
        var keys = [KeyBinding([.up, .down], "move", label: "↑↓"), KeyBinding([.enter], step == .preview ? "submit" : "next step")]
        switch step {
        case .basics: keys.append(KeyBinding([.character(" ")], "toggle contact / time"))
        case .certificates:
            keys += [KeyBinding([.character(" ")], "choose certificate"), KeyBinding([.left, .right], "Official / Uploaded", label: "←→")]
        case .resources:
            keys += [KeyBinding([.character(" ")], "choose resource"), KeyBinding([.character("s")], "Synchronize Cloud Resources")]
        case .preview: break
        }
        keys.append(KeyBinding([.escape], step == .basics ? "cancel" : "previous step"))
        return keys
    }

    // MARK: Data for the steps

    var certificateChoices: [Certificate] {
        (try? session.context.certificates.list(CertificateQuery(source: source))) ?? []
    }

    var resourceChoices: [CloudResource] {
        session.read({ try $0.resources(ResourceFilter()) }, default: []).sorted {
            ($0.service, $0.region ?? "", $0.id) < ($1.service, $1.region ?? "", $1.id)
        }
    }

    var request: TaskRequest {
        TaskRequest(name: name.text, certificates: certificates, resources: resources,
                    at: customTime ? Self.parseTime(time.text) : nil, contacts: chosenContacts)
    }

    static func parseTime(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }

    // MARK: Keys

    func handle(_ key: Key) -> KeyResult {
        warning = nil
        switch key {
        case .escape:
            guard let previous = Step(rawValue: step.rawValue - 1) else { return .close }
            go(to: previous)
            return .handled
        case .enter:
            return advance()
        default:
            break
        }
        switch step {
        case .basics: handleBasics(key)
        case .certificates: handleCertificates(key)
        case .resources: handleResources(key)
        case .preview: _ = cursor.handle(key)
        }
        return .handled
    }

    private func go(to newStep: Step) {
        step = newStep
        cursor = ScrollWindow()
    }

    private func advance() -> KeyResult {
        switch step {
        case .basics:
            if customTime && Self.parseTime(time.text) == nil {
                warning = "Give the custom time as YYYY-MM-DD HH:MM."
                return .handled
            }
            go(to: .certificates)
        case .certificates:
            guard !certificates.isEmpty else {
                warning = "Choose at least one certificate."
                return .handled
            }
            go(to: .resources)
            return offerSmartMatches()
        case .resources:
            go(to: .preview)
        case .preview:
            return submit()
        }
        return .handled
    }

    /// D5: offer the matched resources once, when the resources step opens.
    private func offerSmartMatches() -> KeyResult {
        guard !offeredMatch else { return .handled }
        offeredMatch = true
        let matches = ((try? session.context.deployments.smartMatches(for: certificates)) ?? []).map(\.id).filter { !resources.contains($0) }
        guard !matches.isEmpty else { return .handled }
        return .open(ConfirmDialog(
            title: "Smart matching",
            text: "\(matches.count) resources already use certificates matching your selection. Add them?",
            confirmTitle: "Add Them", cancelTitle: "No", confirmByDefault: true, theme: session.theme
        ) { [unowned self] in
            self.resources += matches
            return .close
        })
    }

    private func submit() -> KeyResult {
        do {
            let deployments = session.context.deployments
            let task = try deployments.create(request, runNow: false)
            session.dataChanged()
            if task.status == .pending {
                TaskDetailsScreen.runInBackground(task.id, session: session)
            } else {
                session.say("\(task.id) \(DisplayText.neutralized(task.name)) is \(task.status.rawValue).")
            }
            return .replace(TaskDetailsScreen(session: session, taskID: task.id))
        } catch {
            session.complain(error)
            return .handled
        }
    }

    private func handleBasics(_ key: Key) {
        let rows = contacts.count + (customTime ? 3 : 2)
        cursor.setCount(rows)
        cursor.height = rows
        let row = cursor.selected
        if row == 0, name.handle(key) { return }
        if customTime, row == contacts.count + 2, time.handle(key) { return }
        switch key {
        case .up, .backTab: cursor.move(by: -1)
        case .down, .tab: cursor.move(by: 1)
        case .character(" "):
            if (1...max(1, contacts.count)).contains(row), row <= contacts.count {
                let contact = contacts[row - 1]
                if let index = chosenContacts.firstIndex(of: contact) {
                    chosenContacts.remove(at: index)
                } else if chosenContacts.count >= DeploymentRules.maximumContacts {
                    warning = "A task can have at most \(DeploymentRules.maximumContacts) contacts."
                } else {
                    chosenContacts.append(contact)
                }
            } else if row == contacts.count + 1 {
                customTime.toggle()
            }
        default: break
        }
    }

    private func handleCertificates(_ key: Key) {
        let choices = certificateChoices
        cursor.setCount(choices.count)
        if cursor.handle(key) { return }
        switch key {
        case .left, .right:
            source = source == .official ? .uploaded : .official
            cursor = ScrollWindow()
        case .character(" "):
            guard !choices.isEmpty else { return }
            let certificate = choices[cursor.selected]
            if let index = certificates.firstIndex(of: certificate.id) {
                certificates.remove(at: index)
            } else {
                // D2: one type per task; choosing the other type starts over.
                let chosen = (try? session.context.certificates.certificates(certificates)) ?? []
                if chosen.contains(where: { $0.source != certificate.source }) {
                    warning = "One type per task: the \(source == .official ? "uploaded" : "official") certificates were cleared."
                    certificates = []
                }
                certificates.append(certificate.id)
            }
            offeredMatch = false
        default: break
        }
    }

    private func handleResources(_ key: Key) {
        let choices = resourceChoices
        cursor.setCount(choices.count)
        if cursor.handle(key) { return }
        switch key {
        case .character(" "):
            guard !choices.isEmpty else { return }
            let id = choices[cursor.selected].id
            if let index = resources.firstIndex(of: id) { resources.remove(at: index) } else { resources.append(id) }
        case .character("s") where !synchronizing:
            // D16: in the background; the action shows unavailable until it is done.
            let deployments = session.context.deployments
            _ = session.context.background.start {
                let count = try deployments.synchronize()
                return "Synchronized \(count) resources from \(deployments.provider.name)."
            }
            session.takeBackgroundResults()
        default: break
        }
    }

    // MARK: Drawing

    func render(in area: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let inner = area
        var x = inner.x + 1
        for candidate in Step.allCases {
            let label = "\(candidate.rawValue + 1) \(candidate.title)"
            let role = candidate == step ? "tab.selected" : (candidate.rawValue < step.rawValue ? "status.ok" : "status.muted")
            x += buffer.write(" \(label) ", x: x, y: inner.y, style: theme[role]) + 1
            if candidate != .preview { x += buffer.write("›", x: x - 1, y: inner.y, style: theme["status.muted"]) }
        }
        let body = Rect(x: inner.x + 1, y: inner.y + 2, width: inner.width - 2, height: inner.height - 4)
        switch step {
        case .basics: renderBasics(in: body, into: &buffer)
        case .certificates: renderCertificates(in: body, into: &buffer)
        case .resources: renderResources(in: body, into: &buffer)
        case .preview: renderPreview(in: body, into: &buffer)
        }
        if let warning {
            buffer.write(TextWidth.truncate(warning, to: inner.width - 2), x: inner.x + 1, y: inner.maxY - 1, style: theme["message.error"])
        }
    }

    private func checkbox(_ on: Bool) -> String { on ? "[x]" : "[ ]" }

    private func row(_ text: String, focused: Bool, y: Int, in rect: Rect, into buffer: inout Buffer, role: String = "dialog") {
        let style = session.theme[focused ? "table.cursor" : role]
        buffer.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: style)
        buffer.write(TextWidth.truncate(text, to: rect.width), x: rect.x, y: y, style: style)
    }

    private func renderBasics(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        buffer.write("Task name", x: rect.x, y: rect.y, style: theme["dialog"])
        name.render(focused: cursor.selected == 0, theme: theme, in: Rect(x: rect.x + 16, y: rect.y, width: min(50, rect.width - 16), height: 1), into: &buffer)
        buffer.write("Contacts \(chosenContacts.count)/\(DeploymentRules.maximumContacts)", x: rect.x, y: rect.y + 2, style: theme["dialog"])
        for (index, contact) in contacts.enumerated() {
            row("\(checkbox(chosenContacts.contains(contact))) \(DisplayText.neutralized(contact))", focused: cursor.selected == index + 1,
                y: rect.y + 3 + index, in: Rect(x: rect.x + 2, y: 0, width: rect.width - 2, height: 1), into: &buffer)
        }
        if contacts.isEmpty { buffer.write("(no contacts yet: add them in Contacts)", x: rect.x + 2, y: rect.y + 3, style: theme["status.muted"]) }
        let timeY = rect.y + 4 + max(1, contacts.count)
        row("Deployed at: " + (customTime ? "( ) now  (•) custom time" : "(•) now  ( ) custom time"),
            focused: cursor.selected == contacts.count + 1, y: timeY, in: rect, into: &buffer)
        if customTime {
            buffer.write("Time (YYYY-MM-DD HH:MM)", x: rect.x + 2, y: timeY + 1, style: theme["dialog"])
            time.render(focused: cursor.selected == contacts.count + 2, theme: theme,
                        in: Rect(x: rect.x + 27, y: timeY + 1, width: 18, height: 1), into: &buffer)
        }
    }

    private func renderCertificates(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        TabBar.render(["Official", "Uploaded"], selected: source == .official ? 0 : 1, theme: theme, at: rect.x, y: rect.y, into: &buffer)
        buffer.write("\(certificates.count) chosen", x: rect.maxX - 12, y: rect.y, style: theme["status.muted"])
        let choices = certificateChoices
        let list = Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2)
        cursor.height = max(1, list.height)
        cursor.setCount(choices.count)
        let now = session.now
        for (offset, index) in cursor.visibleRange.enumerated() {
            let c = choices[index]
            let columns = [c.id.description, DisplayText.neutralized(c.name), DisplayText.neutralized(c.primaryDomain)]
            let text = zip(columns, [6, 20, 24]).map { TextWidth.fit($0, to: $1) }.joined(separator: " ")
            row("\(checkbox(certificates.contains(c.id))) \(text) \(c.status(at: now).rawValue)",
                focused: index == cursor.selected, y: list.y + offset, in: list, into: &buffer)
        }
    }

    private func renderResources(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let choices = resourceChoices
        buffer.write("Total resources \(choices.count) · Selected resources \(resources.count)", x: rect.x, y: rect.y, style: theme["dialog"])
        let action = synchronizing ? "Synchronizing…" : "s Synchronize Cloud Resources"
        buffer.write(action, x: rect.maxX - TextWidth.of(action), y: rect.y, style: theme[synchronizing ? "status.muted" : "hint.key"])
        // Total resources by service, then the list in that order.
        let counts = Dictionary(grouping: choices, by: \.service).mapValues(\.count)
        let byService = CloudService.all.compactMap { service in counts[service.code].map { "\(service.label) \($0)" } }
        buffer.write(TextWidth.truncate(byService.joined(separator: " · "), to: rect.width), x: rect.x, y: rect.y + 1, style: theme["status.muted"])
        let list = Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2)
        cursor.height = max(1, list.height)
        cursor.setCount(choices.count)
        for (offset, index) in cursor.visibleRange.enumerated() {
            let r = choices[index]
            let place = r.service.uppercased() + " " + (r.region ?? "global")
            row("\(checkbox(resources.contains(r.id))) \(r.id.description.padding(toLength: 5, withPad: " ", startingAt: 0)) \(place.padding(toLength: 20, withPad: " ", startingAt: 0)) \(DisplayText.neutralized(r.name).padding(toLength: 20, withPad: " ", startingAt: 0)) \(DisplayText.neutralized(r.domain))  \(r.certificateID?.description ?? "no HTTPS")",
                focused: index == cursor.selected, y: list.y + offset, in: list, into: &buffer)
        }
    }

    private func renderPreview(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let plan: TaskPlan
        do { plan = try session.context.deployments.preview(request) } catch {
            buffer.write((error as? CertpushError)?.sentence ?? "\(error)", x: rect.x, y: rect.y, style: theme["message.error"])
            return
        }
        buffer.write("\(plan.pairs.count) certificate-resource pairs · deployment quota to consume: \(plan.quota) of \(plan.quotaRemaining) left",
                     x: rect.x, y: rect.y, style: theme["dialog"])
        buffer.write(customTime ? "Deploys at \(time.text)" : "Deploys now, when submitted", x: rect.x, y: rect.y + 1, style: theme["status.muted"])
        var y = rect.y + 3
        for problem in plan.problems.prefix(5) {
            buffer.write("✗ " + TextWidth.truncate(problem, to: rect.width - 2), x: rect.x, y: y, style: theme["message.error"])
            y += 1
        }
        if plan.problems.isEmpty {
            Button.render("Submit", focused: true, theme: theme, at: rect.maxX - 12, y: rect.y + 1, into: &buffer)
        }
        let names = Dictionary(uniqueKeysWithValues: plan.resources.map { ($0.id, $0) })
        let table = Rect(x: rect.x, y: y + 1, width: rect.width, height: rect.maxY - y - 1)
        cursor.height = max(1, table.height - 1)
        cursor.setCount(plan.pairs.count)
        let cells = plan.pairs[cursor.visibleRange].map { pair in
            let resource = names[pair.resource]
            return [TableCell(pair.certificate.description), TableCell(pair.resource.description),
                    TableCell((resource?.service ?? "").uppercased() + " " + (resource?.region ?? "global")),
                    TableCell(DisplayText.neutralized(resource?.domain ?? ""))]
        }
        Table(columns: [Column("CERT", .fixed(6)), Column("RESOURCE", .fixed(8)), Column("SERVICE", .fixed(20)), Column("DOMAIN", .flexible(minimum: 10))])
            .render(rows: cells, cursor: nil, focused: false, theme: theme, in: table, into: &buffer)
    }
}
