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
        var shortTitle: String { self == .preview ? "Preview" : self == .certificates ? "Certs" : title }
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
    var synchronizing: Bool { session.context.background.running.contains { $0.label == Self.synchronizeLabel } }
    static let synchronizeLabel = "synchronize"
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
        contacts = session.attempt({ try session.services.deployments.contacts().map(\.name) }, default: [])
        resourceList = PagedList(session: session) { [unowned self] in self.resourceFilter }
    }

    var title: String { "Create Deployment Task" }
    var words: [String] { ["official", "uploaded", "shared", "pair", "quota", "scheduled", "smart matching", "SM"] }
    var isTyping: Bool {
        isFiltering || (step == .basics && (cursor.selected == 0 || (customTime && cursor.selected == contacts.count + 2)))
    }

    var commands: [Command] {
        if isFiltering {
            return Command.filtering(step == .resources ? "filter by name, domain or id" : "filter by name or domain",
                                     keep: { [unowned self] in self.isFiltering = false },
                                     clear: { [unowned self] in
                                         self.isFiltering = false
                                         self.filterChanged(TextField())
                                     },
                                     move: { [unowned self] in self.moveCursor($0) },
                                     edit: { [unowned self] key in
                                         var edited = self.filter
                                         if edited.handle(key) { self.filterChanged(edited) }
                                     })
        }
        var commands: [Command] = []
        switch step {
        case .basics: commands = basicsCommands
        case .certificates: commands = certificateCommands
        case .resources: commands = resourceCommands
        case .preview: commands = Command.movement { [unowned self] key in _ = self.cursor.handle(key) }
        }
        commands.append(Command([.enter], step == .preview ? "submit" : "next step") { [unowned self] in self.advance() })
        if !filter.text.isEmpty && (step == .certificates || step == .resources) {
            commands.append(Command([.escape], "clear filter") { [unowned self] in
                self.filterChanged(TextField())
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

    func willHandleKey() { warning = nil }

    /// Step 1: the name and time fields take text; Tab and ↑↓ move between rows; Space toggles.
    private var basicsCommands: [Command] {
        let rows = contacts.count + (customTime ? 3 : 2)
        cursor.setCount(rows)
        cursor.height = rows
        let row = cursor.selected
        var commands = [
            Command([.down, .tab], "next field", label: "↓/Tab") { [unowned self] in
                self.cursor.move(by: 1)
                return .handled
            },
            Command([.up, .backTab], "previous field", label: "↑", hinted: false) { [unowned self] in
                self.cursor.move(by: -1)
                return .handled
            },
        ]
        if row == 0 {
            commands.append(Command(typing: "task name") { [unowned self] key in
                _ = self.name.handle(key)
                return .handled
            })
        } else if customTime && row == contacts.count + 2 {
            commands.append(Command(typing: "deployment time") { [unowned self] key in
                _ = self.time.handle(key)
                return .handled
            })
        } else {
            commands.append(Command([.character(" ")], row <= contacts.count ? "choose contact" : "now / custom time", label: "Space") { [unowned self] in
                self.toggleBasics(row: row)
                return .handled
            })
        }
        return commands
    }

    private var certificateCommands: [Command] {
        Command.movement { [unowned self] key in
            self.cursor.setCount(self.certificatePages.matching(self.certificateQuery).count)
            _ = self.cursor.handle(key)
        } + [
            Command([.character(" ")], "choose certificate", label: "Space") { [unowned self] in
                self.toggleCertificate()
                return .handled
            },
            Command([.left, .right], "Official / Uploaded", label: "←→") { [unowned self] in
                self.source = self.source == .official ? .uploaded : .official
                self.cursor = ScrollWindow()
                return .handled
            },
            Command([.character("/")], "filter") { [unowned self] in
                self.isFiltering = true
                return .handled
            },
        ]
    }

    private var resourceCommands: [Command] {
        Command.movement { [unowned self] key in
            self.refreshResources()
            _ = self.resourceList.handle(key)
        } + [
            Command([.character(" ")], "choose resource", label: "Space") { [unowned self] in
                self.toggleResource()
                return .handled
            },
            Command([.left, .right], "service", label: "←→") { [unowned self] key in
                self.nextService(forward: key == .right)
                return .handled
            },
            Command([.character("r")], "region") { [unowned self] in
                self.nextRegion()
                return .handled
            },
            Command([.character("/")], "filter") { [unowned self] in
                self.isFiltering = true
                return .handled
            },
            Command([.character("s")], synchronizing ? "Synchronize (unavailable while work runs)" : "Synchronize Cloud Resources") { [unowned self] in
                self.synchronize()
                return .handled
            },
        ]
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
                    at: customTime ? try? ISOTime.parse(time.text, zone: session.context.timeZone) : nil, contacts: chosenContacts)
    }

    // MARK: Keys

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
            // D1 when leaving the step: a name, known contacts, a time that parses and is in the future.
            if customTime {
                do { _ = try ISOTime.parse(time.text, zone: session.context.timeZone) } catch {
                    warning = (error as? CertpushError)?.sentence ?? "\(error)"
                    return .handled
                }
            }
            do {
                if let problem = try session.services.deployments.basicsProblems(request).first {
                    warning = problem
                    return .handled
                }
            } catch {
                session.complain(error)
                return .handled
            }
            go(to: .certificates)
        case .certificates:
            guard !certificates.isEmpty else {
                warning = "Choose at least one certificate."
                return .handled
            }
            // D2, D3 and the lifecycle, for what was chosen (the Deploy action chooses before this step).
            if let refusal = chosenRefusal {
                warning = refusal
                return .handled
            }
            go(to: .resources)
            return offerSmartMatches()
        case .resources:
            go(to: .preview)
        case .preview:
            return confirmSubmit()
        }
        return .handled
    }

    /// D5: offer the matched resources once, when the resources step opens.
    private func offerSmartMatches() -> KeyResult {
        guard !offeredMatch else { return .handled }
        offeredMatch = true
        let matched = session.attempt({ try session.services.deployments.smartMatches(for: certificates) }, default: []).filter { !chosenResources.contains($0.id) }
        let matches = matched.map(\.id)
        guard !matches.isEmpty else { return .handled }
        // W5: in a live workspace the offer says which resources of which account it would add.
        let which = session.context.confirmsChanges ? " (" + LiveConfirmation.matches(matched.map(LiveConfirmation.Target.init)) + ")" : ""
        return .open(ConfirmDialog(
            title: "Smart matching",
            text: "\(Words.count(matches.count, "resource"))\(which) already \(matches.count == 1 ? "uses" : "use") certificates matching your selection. Add \(matches.count == 1 ? "it" : "them")?",
            confirmTitle: "Add Them", cancelTitle: "No", confirmByDefault: true, theme: session.theme
        ) { [unowned self] in
            self.resources += matches
            self.chosenResources.formUnion(matches)
            self.session.services.deployments.smartMatchesAccepted()
            return .close
        })
    }

    /// The console creates the task; it then runs in the background, and its
    /// details open in Deployment Tasks, the section it belongs to now.
    /// W5: a live workspace asks first, naming the accounts and the counts.
    private func confirmSubmit() -> KeyResult {
        guard session.context.confirmsChanges, let plan = try? currentPlan.get(), plan.canSubmit else { return submit() }
        let planned = Set(plan.pairs.map(\.resource))
        let targets = plan.resources.filter { planned.contains($0.id) }.map(LiveConfirmation.Target.init)
        return .open(ConfirmDialog(title: "Deploy to live resources?",
                                   text: LiveConfirmation.deploy(plan.certificates.map(\.id), to: targets, accounts: session.context.accounts),
                                   confirmTitle: "Deploy", theme: session.theme) { [unowned self] in
            self.submit().then(.close)
        })
    }

    private func submit() -> KeyResult {
        let request = request
        return .perform(Effect { [unowned self] services in
            let task = try services.deployments.create(request, runNow: false)
            if task.status == .pending {
                TaskDetailsScreen.runInBackground(task.id, session: self.session)
            } else {
                self.session.say("\(task.id) \(DisplayText.neutralized(task.name)) is \(task.status.words).")
            }
            return .goTo(.tasks, TaskDetailsScreen(session: self.session, taskID: task.id))
        })
    }

    private func toggleBasics(row: Int) {
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

    private func toggleCertificate() {
        let query = certificateQuery
        cursor.setCount(certificatePages.matching(query).count)
        guard let certificate = certificatePages.rows(query, in: cursor.selected..<cursor.selected + 1).first else { return }
        if chosenCertificates.remove(certificate.id) != nil {
            certificates.removeAll { $0 == certificate.id }
        } else if let refusal = refusal(for: certificate) {
            warning = refusal
            return
        } else {
            certificates.append(certificate.id)
            chosenCertificates.insert(certificate.id)
            chosenSource = certificate.source
        }
        offeredMatch = false
    }

    /// Why this certificate cannot join the task (D3, its lifecycle, D2 against
    /// what is chosen), or nil; the core decides each.
    private func refusal(for certificate: Certificate) -> String? {
        if let why = DeploymentRules.whyNotDeployable(certificate, now: session.now) { return "\(certificate.id) cannot be deployed: \(why)." }
        if let chosenSource, !certificates.isEmpty, chosenSource != certificate.source { return DeploymentRules.mixedSources }
        return nil
    }

    /// A few words in the row of a certificate that cannot be chosen.
    private func note(for certificate: Certificate) -> String {
        if let why = DeploymentRules.whyNotDeployable(certificate, now: session.now) {
            return why.replacingOccurrences(of: "its name contains Chinese characters", with: "Chinese name (D3)")
                .replacingOccurrences(of: "it is ", with: "")
                .replacingOccurrences(of: "no private key held", with: "no private key")
        }
        if let chosenSource, !certificates.isEmpty, chosenSource != certificate.source {
            return "other type (D2)"
        }
        return ""
    }

    /// Why what is chosen cannot go on to the resources, or nil.
    private var chosenRefusal: String? {
        let chosen = session.read({ try $0.certificates(self.certificates) }, default: [])
        if Set(chosen.map(\.source)).count > 1 { return DeploymentRules.mixedSources }
        return chosen.lazy.compactMap { certificate in
            DeploymentRules.whyNotDeployable(certificate, now: self.session.now).map { "\(certificate.id) cannot be deployed: \($0)." }
        }.first
    }

    /// Reads step 3's page again when resources changed (a sync, a task running).
    private func refreshResources() {
        let version = session.version(of: .resources)
        if version != seenResourceVersion {
            seenResourceVersion = version
            resourceList.invalidate()
        }
    }

    private func toggleResource() {
        refreshResources()
        guard let id = resourceList.selected?.id else { return }
        if chosenResources.remove(id) != nil { resources.removeAll { $0 == id } } else {
            resources.append(id)
            chosenResources.insert(id)
        }
    }

    /// All services, then each service that has resources.
    private func nextService(forward: Bool) {
        let services = [nil] + CloudService.catalog.map(\.code).filter { code in resourceTally.contains { $0.service == code } }
        let index = services.firstIndex(of: serviceFilter) ?? 0
        serviceFilter = services[(index + (forward ? 1 : services.count - 1)) % services.count]
        regionFilter = nil
        resourceList.reset()
    }

    /// Every region of the service in view that has resources.
    private func nextRegion() {
        guard let serviceFilter else {
            warning = "Choose a service with ← → first, then its region with r."
            return
        }
        let regions = [nil] + resourceTally.filter { $0.service == serviceFilter }.map { $0.region ?? "" }
        let index = regions.firstIndex(of: regionFilter) ?? 0
        regionFilter = regions[(index + 1) % regions.count]
        resourceList.reset()
    }

    /// D16: in the background; the action shows unavailable until it is done.
    private func synchronize() {
        guard !synchronizing else { return }
        let deployments = session.services.deployments
        let everyAccount = session.context.synchronize
        session.run(Self.synchronizeLabel) {
            if let everyAccount { return try everyAccount() }
            return "Synchronized " + (try deployments.synchronize(.sandbox).sentence)
        }
    }

    // MARK: Drawing

    /// What the last `load` read for the step in view.
    private var shownCertificates: [Certificate] = []
    private var shownTally: [ResourceTally] = []
    private var shownMatchCount = 0

    /// The step's body inside the wizard's frame.
    private func body(in inner: Rect) -> Rect { Rect(x: inner.x + 1, y: inner.y + 2, width: inner.width - 2, height: inner.height - 4) }

    /// A list's area without the filter line under it, when there is one.
    private func withoutFilter(_ list: Rect) -> Rect { isFiltering || !filter.text.isEmpty ? list.splitBottom(1).0 : list }

    func load(in area: Rect) {
        let rect = body(in: area)
        switch step {
        case .basics: break
        case .certificates:
            let list = withoutFilter(Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2))
            let query = certificateQuery
            cursor.setCount(certificatePages.matching(query).count)
            cursor.height = max(1, list.height - 1)
            shownCertificates = certificatePages.rows(query, in: cursor.visibleRange)
        case .resources:
            refreshResources()
            shownTally = resourceTally
            shownMatchCount = serviceFilter != nil || !filter.text.isEmpty ? resourceMatchCount : 0
            let list = withoutFilter(Rect(x: rect.x, y: rect.y + 3, width: rect.width, height: rect.height - 3))
            _ = resourceList.visibleRows(height: list.height - 1)
        case .preview:
            _ = currentPlan
        }
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let inner = area
        var x = inner.x + 1
        // The steps' titles, shortened to what fits: all in full, then short, then only the current one.
        let full = Step.allCases.map { "\($0.rawValue + 1) \($0.title)" }
        let short = Step.allCases.map { "\($0.rawValue + 1) \($0.shortTitle)" }
        let numbers = Step.allCases.map { $0 == step ? short[$0.rawValue] : "\($0.rawValue + 1)" }
        let labels = [full, short, numbers].first { labels in labels.reduce(0) { $0 + TextWidth.of($1) + 3 } + 1 <= inner.width } ?? numbers
        for candidate in Step.allCases {
            let label = labels[candidate.rawValue]
            let role = candidate == step ? "tab.selected" : (candidate.rawValue < step.rawValue ? "status.ok" : "status.muted")
            x += buffer.write(" \(label) ", x: x, y: inner.y, style: theme[role]) + 1
            if candidate != .preview { x += buffer.write("›", x: x - 1, y: inner.y, style: theme["status.muted"]) }
        }
        let body = body(in: inner)
        switch step {
        case .basics: renderBasics(in: body, into: &buffer)
        case .certificates: renderCertificates(in: body, into: &buffer)
        case .resources: renderResources(in: body, into: &buffer)
        case .preview: renderPreview(in: body, into: &buffer)
        }
        if let warning {
            // Two lines, so that a reason is read whole at 80 columns.
            let lines = ImportDialog.wrap(warning, width: inner.width - 2)
            for (index, line) in lines.prefix(2).enumerated() {
                let text = index == 1 && lines.count > 2 ? TextWidth.truncate(line + " " + lines[2...].joined(separator: " "), to: inner.width - 2) : line
                buffer.write(text, x: inner.x + 1, y: inner.maxY - min(2, lines.count) + index, style: theme["message.error"])
            }
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
            buffer.write("Time", x: rect.x + 2, y: timeY + 1, style: theme["dialog"])
            time.render(focused: cursor.selected == contacts.count + 2, theme: theme,
                        in: Rect(x: rect.x + 8, y: timeY + 1, width: 26, height: 1), into: &buffer)
            let zone = ISOTime.zoneLabel(session.context.timeZone, at: session.now)
            buffer.write(TextWidth.truncate("YYYY-MM-DD HH:MM in \(zone), or ISO 8601 (2026-12-01T09:30:00Z)", to: rect.width - 2),
                         x: rect.x + 2, y: timeY + 2, style: theme["status.muted"])
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
        let list = renderFilter(in: Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2), into: &buffer)
        let now = session.now
        let rows = shownCertificates.map { c in
            let note = note(for: c)
            return [TableCell(checkbox(chosenCertificates.contains(c.id))), TableCell(c.id.description),
                    TableCell(DisplayText.neutralized(c.name), role: note.isEmpty ? nil : "status.muted"),
                    TableCell(DisplayText.neutralized(c.primaryDomain) + (c.domains.count > 1 ? " +\(c.domains.count - 1)" : "")),
                    note.isEmpty ? TableCell(c.status(at: now).rawValue) : TableCell("✗ " + note, role: "status.warn")]
        }
        Table(columns: [Column("", .fixed(3)), Column("ID", .flexible(minimum: 3)), Column("NAME", .flexible(minimum: 10), preferred: 16),
                        Column("DOMAIN", .flexible(minimum: 12), preferred: 18), Column("STATUS", .flexible(minimum: 8))])
            .render(rows: rows, cursor: cursor.count == 0 ? nil : cursor.selected - cursor.top, focused: !isFiltering, theme: theme,
                    in: list, into: &buffer)
        if cursor.count == 0 {
            buffer.write(filter.text.isEmpty ? "No \(source.rawValue) certificates." : "No certificate matches.",
                         x: list.x + 1, y: list.y + 1, style: theme["status.muted"])
        }
    }

    private func renderResources(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let tally = shownTally
        let total = tally.reduce(0) { $0 + $1.count }
        let totals = "Total resources \(total) · Selected resources \(resources.count)"
        buffer.write(totals, x: rect.x, y: rect.y, style: theme["dialog"])
        let roomy = TextWidth.of(totals) + 32 <= rect.width
        let action = synchronizing ? "Synchronizing…" : roomy ? "s Synchronize Cloud Resources" : "s Sync"
        buffer.write(action, x: rect.maxX - TextWidth.of(action), y: rect.y, style: theme[synchronizing ? "status.muted" : "hint.key"])
        // Total resources by service, from the tally.
        let counts = Dictionary(tally.map { ($0.service, $0.count) }, uniquingKeysWith: +)
        let byService = CloudService.catalog.compactMap { service in counts[service.code].map { "\(service.label) \($0)" } }
        buffer.write(TextWidth.truncate(byService.joined(separator: " · "), to: rect.width), x: rect.x, y: rect.y + 1, style: theme["status.muted"])
        // What the list shows: service ← →, region r, text /.
        let serviceLabel = serviceFilter.map { code in CloudService.catalog.first { $0.code == code }?.label ?? code } ?? "all services"
        let regionLabel = regionFilter.map { $0.isEmpty ? "global" : $0 } ?? "all regions"
        let filtered = serviceFilter != nil || !filter.text.isEmpty
        let shown = !filtered ? "" : {
            let count = shownMatchCount
            return " · \(count >= Self.countLimit ? "\(Self.countLimit)+" : "\(count)") shown"
        }()
        buffer.write(TextWidth.truncate("← \(serviceLabel) →  r \(regionLabel)\(shown)", to: rect.width), x: rect.x, y: rect.y + 2,
                     style: theme["dialog"])
        let list = renderFilter(in: Rect(x: rect.x, y: rect.y + 3, width: rect.width, height: rect.height - 3), into: &buffer)
        let rows = resourceList.rows
        let cells = rows.map { r in
            [TableCell(checkbox(chosenResources.contains(r.id))), TableCell(r.id.description),
             TableCell(CloudService.named(r.service)?.label ?? r.service.uppercased()), TableCell(r.region ?? "global"),
             TableCell(DisplayText.neutralized(r.name)), TableCell(DisplayText.neutralized(r.domain)),
             TableCell(r.certificateID?.description ?? "no HTTPS", role: r.certificateID == nil ? "status.muted" : nil),
             TableCell(DisplayText.neutralized(r.account))]
        }
        Table(columns: [Column("", .fixed(3)), Column("ID", .flexible(minimum: 3)), Column("SVC", .fixed(5)), Column("REGION", .flexible(minimum: 9)),
                        Column("NAME", .flexible(minimum: 8), preferred: 14), Column("DOMAIN", .flexible(minimum: 8), preferred: 16),
                        Column("CERT", .fixed(8)), Column("ACCOUNT", .flexible(minimum: 7), drop: 1)])
            .render(rows: cells, cursor: rows.isEmpty ? nil : resourceList.cursor, focused: !isFiltering, theme: theme, in: list, into: &buffer)
        if rows.isEmpty {
            buffer.write(filtered ? "No resource matches." : "No resources: press s to synchronize them.", x: list.x + 1, y: list.y + 1,
                         style: theme["status.muted"])
        }
    }

    /// The plan of the request as it stands, made again only when the request or the data changed.
    private var currentPlan: Result<TaskPlan, Error> {
        let request = request, version = session.version(of: .all)
        if let plan, plan.request == request, plan.version == version { return plan.result }
        let result = Result { try session.services.deployments.preview(request) }
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
        buffer.write(Words.count(plan.pairs.count, "certificate-resource pair"), x: rect.x, y: rect.y, style: theme["dialog"])
        buffer.write("Deployment quota to consume: \(plan.quota) of \(plan.quotaRemaining) left", x: rect.x, y: rect.y + 1, style: theme["dialog"])
        let when = plan.request.at.map { "Deploys at \(session.minute($0)) (\(ISOTime.zoneLabel(session.context.timeZone, at: $0)))" }
        buffer.write(when ?? "Deploys now, when submitted", x: rect.x, y: rect.y + 2, style: theme["status.muted"])
        var y = rect.y + 4
        for problem in plan.problems.prefix(5) {
            buffer.write("✗ " + TextWidth.truncate(problem, to: rect.width - 2), x: rect.x, y: y, style: theme["message.error"])
            y += 1
        }
        // What the core already knows will fail when the task runs (D7), though it may be submitted.
        for warning in plan.warnings.prefix(max(0, 5 - plan.problems.count)) {
            buffer.write("! " + TextWidth.truncate(warning, to: rect.width - 2), x: rect.x, y: y, style: theme["status.warn"])
            y += 1
        }
        if plan.warnings.count > 5 - min(5, plan.problems.count) && !plan.warnings.isEmpty {
            buffer.write("  and \(plan.warnings.count - max(0, 5 - plan.problems.count)) more that will fail the same way",
                         x: rect.x, y: y, style: theme["status.warn"])
            y += 1
        }
        if plan.problems.isEmpty {
            Button.render("Submit", focused: true, theme: theme, at: rect.maxX - 12, y: rect.y + 2, into: &buffer)
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
        Table(columns: [Column("CERT", .flexible(minimum: 4)), Column("RESOURCE", .flexible(minimum: 8)), Column("SERVICE", .flexible(minimum: 12)),
                        Column("DOMAIN", .flexible(minimum: 10))])
            .render(rows: cells, cursor: nil, focused: false, theme: theme, in: table, into: &buffer)
    }
}
