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
    private var chosenCertificates: Set<CertificateID>
    /// The type of the chosen certificates (D2: one type per task).
    private var chosenSource: CertificateSource?
    private(set) var resources: [ResourceID] = []
    private var chosenResources = Set<ResourceID>()
    private var offeredMatch = false
    private var cursor = ScrollWindow()
    /// Steps 2 and 3 filter as you type after `/`.
    private(set) var filter = TextField()
    private(set) var isFiltering = false
    private let certificatePages: CertificatePages
    /// Step 3 reads the resources a page at a time, filtered in the store by
    /// service, region and text; counts come from the store's tally.
    private var resourceList: PagedList<CloudResource, ResourcePosition>!
    private(set) var serviceFilter: String?
    private(set) var regionFilter: String?
    private var tally: (version: Int, rows: [ResourceTally])?
    private var matchCount: (filter: ResourceFilter, version: Int, count: Int)?
    private var seenResourceVersion = 0
    private var plan: (request: TaskRequest, version: Int, result: Result<TaskPlan, Error>, resources: [ResourceID: CloudResource])?
    static let countLimit = 10_000
    /// While background work runs (a sync, a task), Synchronize is unavailable.
    var synchronizing: Bool { session.context.background.isBusy }
    private var warning: String?

    init(session: Session, certificates: [Certificate]) {
        self.session = session
        self.certificates = certificates.map(\.id)
        chosenCertificates = Set(self.certificates)
        chosenSource = certificates.first?.source
        certificatePages = CertificatePages(session: session)
        if let first = certificates.first {
            source = first.source
            name = TextField("Deploy \(first.name)")
        }
        contacts = (try? session.context.deployments.contacts().map(\.name)) ?? []
        resourceList = PagedList(session: session) { [unowned self] in self.resourceFilter }
    }

    var title: String { "Create Deployment Task" }
    var isTyping: Bool {
        isFiltering || (step == .basics && (cursor.selected == 0 || (customTime && cursor.selected == contacts.count + 2)))
    }

    var bindings: [KeyBinding] {
        if isFiltering { return [KeyBinding([.enter], "keep filter"), KeyBinding([.escape], "clear filter")] }
        var keys = [KeyBinding([.up, .down], "move", label: "↑↓"), KeyBinding([.enter], step == .preview ? "submit" : "next step")]
        switch step {
        case .basics: keys.append(KeyBinding([.character(" ")], "toggle contact / time"))
        case .certificates:
            keys += [KeyBinding([.character(" ")], "choose certificate"), KeyBinding([.left, .right], "Official / Uploaded", label: "←→"),
                     KeyBinding([.character("/")], "filter")]
        case .resources:
            keys += [KeyBinding([.character(" ")], "choose resource"), KeyBinding([.left, .right], "service", label: "←→"),
                     KeyBinding([.character("r")], "region"), KeyBinding([.character("/")], "filter"),
                     KeyBinding([.character("s")], "Synchronize Cloud Resources")]
        case .preview: break
        }
        keys.append(KeyBinding([.escape], step == .basics ? "cancel" : "previous step"))
        return keys
    }

    // MARK: Data for the steps

    var certificateQuery: CertificateQuery { CertificateQuery(source: source, text: filter.text) }

    /// What step 3 shows: the service, region and text chosen.
    var resourceFilter: ResourceFilter { ResourceFilter(service: serviceFilter, region: regionFilter, text: filter.text) }

    /// Resources by service and region, from the store's tally, read again when resources change.
    var resourceTally: [ResourceTally] {
        let version = session.version(of: .resources)
        if let tally, tally.version == version { return tally.rows }
        let rows = session.read({ try $0.resourceTally() }, default: [])
        tally = (version, rows)
        return rows
    }

    /// How many resources step 3's filter finds (up to `countLimit`), counted once per filter.
    private var resourceMatchCount: Int {
        let filter = resourceFilter, version = session.version(of: .resources)
        if let matchCount, matchCount.filter == filter, matchCount.version == version { return matchCount.count }
        let count = session.read({ try $0.resourceCount(filter, upTo: Self.countLimit) }, default: 0)
        matchCount = (filter, version, count)
        return count
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
        if isFiltering { return handleFilter(key) }
        switch key {
        case .escape where !filter.text.isEmpty && (step == .certificates || step == .resources):
            filterChanged(TextField())
            return .handled
        case .character("/") where step == .certificates || step == .resources:
            isFiltering = true
            return .handled
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
        filter = TextField()
        isFiltering = false
        resourceList.reset()
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
        let matches = ((try? session.context.deployments.smartMatches(for: certificates)) ?? []).map(\.id).filter { !chosenResources.contains($0) }
        guard !matches.isEmpty else { return .handled }
        return .open(ConfirmDialog(
            title: "Smart matching",
            text: "\(matches.count) resources already use certificates matching your selection. Add them?",
            confirmTitle: "Add Them", cancelTitle: "No", confirmByDefault: true, theme: session.theme
        ) { [unowned self] in
            self.resources += matches
            self.chosenResources.formUnion(matches)
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

    /// Typing a filter: every key narrows the list at once; Enter keeps it, Esc clears it.
    private func handleFilter(_ key: Key) -> KeyResult {
        switch key {
        case .enter: isFiltering = false
        case .escape:
            isFiltering = false
            filterChanged(TextField())
        case .up, .down, .pageUp, .pageDown:
            moveCursor(key)
        default:
            var edited = filter
            if edited.handle(key) { filterChanged(edited) }
        }
        return .handled
    }

    private func filterChanged(_ newFilter: TextField) {
        filter = newFilter
        cursor = ScrollWindow()
        resourceList.reset()
    }

    private func moveCursor(_ key: Key) {
        if step == .resources {
            refreshResources()
            _ = resourceList.handle(key)
        } else {
            cursor.setCount(certificatePages.matching(certificateQuery).count)
            _ = cursor.handle(key)
        }
    }

    private func handleCertificates(_ key: Key) {
        let query = certificateQuery
        let matches = certificatePages.matching(query)
        cursor.setCount(matches.count)
        if cursor.handle(key) { return }
        switch key {
        case .left, .right:
            source = source == .official ? .uploaded : .official
            cursor = ScrollWindow()
        case .character(" "):
            guard let certificate = certificatePages.rows(query, in: cursor.selected..<cursor.selected + 1).first else { return }
            if chosenCertificates.remove(certificate.id) != nil {
                certificates.removeAll { $0 == certificate.id }
            } else {
                // D2: one type per task; choosing the other type starts over.
                if let chosenSource, chosenSource != certificate.source, !certificates.isEmpty {
                    warning = "One type per task: the \(source == .official ? "uploaded" : "official") certificates were cleared."
                    certificates = []
                    chosenCertificates = []
                }
                certificates.append(certificate.id)
                chosenCertificates.insert(certificate.id)
                chosenSource = certificate.source
            }
            offeredMatch = false
        default: break
        }
    }

    /// Reads step 3's page again when resources changed (a sync, a task running).
    private func refreshResources() {
        let version = session.version(of: .resources)
        if version != seenResourceVersion {
            seenResourceVersion = version
            resourceList.invalidate()
        }
    }

    private func handleResources(_ key: Key) {
        refreshResources()
        if resourceList.handle(key) { return }
        switch key {
        case .character(" "):
            guard let id = resourceList.selected?.id else { return }
            if chosenResources.remove(id) != nil { resources.removeAll { $0 == id } } else {
                resources.append(id)
                chosenResources.insert(id)
            }
        case .left, .right:
            // All services, then each service that has resources.
            let services = [nil] + CloudService.all.map(\.code).filter { code in resourceTally.contains { $0.service == code } }
            let index = services.firstIndex(of: serviceFilter) ?? 0
            serviceFilter = services[(index + (key == .right ? 1 : services.count - 1)) % services.count]
            regionFilter = nil
            resourceList.reset()
        case .character("r"):
            // Every region of the service in view that has resources.
            guard let serviceFilter else {
                warning = "Choose a service with ← → first, then its region with r."
                return
            }
            let regions = [nil] + resourceTally.filter { $0.service == serviceFilter }.map { $0.region ?? "" }
            let index = regions.firstIndex(of: regionFilter) ?? 0
            regionFilter = regions[(index + 1) % regions.count]
            resourceList.reset()
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

    /// The filter line under a list, while typing it or once kept; the list's area without it.
    private func renderFilter(in list: Rect, into buffer: inout Buffer) -> Rect {
        guard isFiltering || !filter.text.isEmpty else { return list }
        let (rest, line) = list.splitBottom(1)
        buffer.write("Filter: ", x: line.x, y: line.y, style: session.theme["dialog"])
        filter.render(focused: isFiltering, theme: session.theme, in: Rect(x: line.x + 8, y: line.y, width: min(40, line.width - 8), height: 1),
                      into: &buffer)
        return rest
    }

    private func renderCertificates(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        TabBar.render(["Official", "Uploaded"], selected: source == .official ? 0 : 1, theme: theme, at: rect.x, y: rect.y, into: &buffer)
        buffer.write("\(certificates.count) chosen", x: rect.maxX - 12, y: rect.y, style: theme["status.muted"])
        let query = certificateQuery
        let list = renderFilter(in: Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2), into: &buffer)
        cursor.height = max(1, list.height)
        cursor.setCount(certificatePages.matching(query).count)
        let now = session.now
        let visible = cursor.visibleRange
        for (offset, c) in certificatePages.rows(query, in: visible).enumerated() {
            let columns = [c.id.description, DisplayText.neutralized(c.name), DisplayText.neutralized(c.primaryDomain)]
            let text = zip(columns, [6, 20, 24]).map { TextWidth.fit($0, to: $1) }.joined(separator: " ")
            row("\(checkbox(chosenCertificates.contains(c.id))) \(text) \(c.status(at: now).rawValue)",
                focused: visible.lowerBound + offset == cursor.selected, y: list.y + offset, in: list, into: &buffer)
        }
        if cursor.count == 0 {
            buffer.write(filter.text.isEmpty ? "No \(source.rawValue) certificates." : "No certificate matches.",
                         x: list.x + 1, y: list.y, style: theme["status.muted"])
        }
    }

    private func renderResources(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        refreshResources()
        let tally = resourceTally
        let total = tally.reduce(0) { $0 + $1.count }
        let totals = "Total resources \(total) · Selected resources \(resources.count)"
        buffer.write(totals, x: rect.x, y: rect.y, style: theme["dialog"])
        let roomy = TextWidth.of(totals) + 32 <= rect.width
        let action = synchronizing ? "Synchronizing…" : roomy ? "s Synchronize Cloud Resources" : "s Sync"
        buffer.write(action, x: rect.maxX - TextWidth.of(action), y: rect.y, style: theme[synchronizing ? "status.muted" : "hint.key"])
        // Total resources by service, from the tally.
        let counts = Dictionary(tally.map { ($0.service, $0.count) }, uniquingKeysWith: +)
        let byService = CloudService.all.compactMap { service in counts[service.code].map { "\(service.label) \($0)" } }
        buffer.write(TextWidth.truncate(byService.joined(separator: " · "), to: rect.width), x: rect.x, y: rect.y + 1, style: theme["status.muted"])
        // What the list shows: service ← →, region r, text /.
        let serviceLabel = serviceFilter.map { code in CloudService.all.first { $0.code == code }?.label ?? code } ?? "all services"
        let regionLabel = regionFilter.map { $0.isEmpty ? "global" : $0 } ?? "all regions"
        let filtered = serviceFilter != nil || !filter.text.isEmpty
        let shown = !filtered ? "" : {
            let count = resourceMatchCount
            return " · \(count >= Self.countLimit ? "\(Self.countLimit)+" : "\(count)") shown"
        }()
        buffer.write(TextWidth.truncate("← \(serviceLabel) →  r \(regionLabel)\(shown)", to: rect.width), x: rect.x, y: rect.y + 2,
                     style: theme["dialog"])
        let list = renderFilter(in: Rect(x: rect.x, y: rect.y + 3, width: rect.width, height: rect.height - 3), into: &buffer)
        let rows = resourceList.visibleRows(height: list.height)
        for (offset, r) in rows.enumerated() {
            let place = r.service.uppercased() + " " + (r.region ?? "global")
            let columns = [r.id.description, place, DisplayText.neutralized(r.name)]
            let text = zip(columns, [5, 20, 20]).map { TextWidth.fit($0, to: $1) }.joined(separator: " ")
            row("\(checkbox(chosenResources.contains(r.id))) \(text) \(DisplayText.neutralized(r.domain))  \(r.certificateID?.description ?? "no HTTPS")",
                focused: offset == resourceList.cursor, y: list.y + offset, in: list, into: &buffer)
        }
        if rows.isEmpty {
            buffer.write(filtered ? "No resource matches." : "No resources: press s to synchronize them.", x: list.x + 1, y: list.y,
                         style: theme["status.muted"])
        }
    }

    /// The plan of the request as it stands, made again only when the request or the data changed.
    private var currentPlan: Result<TaskPlan, Error> {
        let request = request, version = session.version(of: .all)
        if let plan, plan.request == request, plan.version == version { return plan.result }
        let result = Result { try session.context.deployments.preview(request) }
        let resources = (try? result.get().resources).map { Dictionary($0.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }) }
        plan = (request, version, result, resources ?? [:])
        return result
    }

    private func renderPreview(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let plan: TaskPlan
        do { plan = try currentPlan.get() } catch {
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
        let names = self.plan?.resources ?? [:]
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
